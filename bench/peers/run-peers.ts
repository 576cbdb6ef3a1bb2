// Runs the side-by-side benchmark and writes bench/results/peers.{md,json,svg}, and the chart
// again as docs/images/bench-peers.svg for the benchmark pages.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib.js';
import { markdown, summarize, svgChart } from './report.js';
import { sideBySide, type PeerEnv } from './side-by-side.js';

export async function runPeers(env: PeerEnv): Promise<void> {
  const { runs, products } = await sideBySide(env);
  const rows = summarize(runs, products);
  const when = new Date().toISOString();
  const load = execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ');
  const machine = `${execFileSync('nproc').toString().trim()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average at the end ${load}`;
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'peers.md'), markdown(rows, products, { when, n: env.n, rounds: env.rounds, machine, note: process.env.BENCH_NOTE }));
  writeFileSync(join(dir, 'peers.json'), `${JSON.stringify({ generated_at: when, env: { n: env.n, rounds: env.rounds, machine, note: process.env.BENCH_NOTE }, products, summary: rows, runs }, null, 2)}\n`);
  writeFileSync(join(dir, 'peers.svg'), svgChart(rows, `MQTT → file and Kafka, ${env.n.toLocaleString('en')} QoS 1 messages, medians of ${env.rounds} rounds`));
  mkdirSync(join(ROOT, 'docs/images'), { recursive: true });
  copyFileSync(join(dir, 'peers.svg'), join(ROOT, 'docs/images/bench-peers.svg'));
  console.log(`\nside by side: written to bench/results/peers.md, peers.json, peers.svg and docs/images/bench-peers.svg`);
}
