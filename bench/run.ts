// `npm run bench`: starts Mosquitto and the sink servers, runs every scenario BENCH_RUNS times,
// and writes the medians with their ratios to the raw limit measured in this same run to
// bench/results/results.{md,json}.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokerCommandLine, startService, type RunningService } from '../test/harness/services.js';
import { median, percentile, ROOT } from './lib.js';
import { backlog, connectorsAtOnce, endToEnd, type Env, ingest, latency, rawLimit, transformCost } from './scenarios.js';
import { clickhouseTarget, fileTarget, kafkaTarget, type Target } from './targets.js';
import type { DrainTarget } from './drain/drain-target.js';
import { runPeers } from './peers/run-peers.js';
import { runFleet } from './fleet/run-fleet.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RUNS = num('BENCH_RUNS', 3);
// about the size of Sluice's batches in the latency run (5,000 msg/s, a write every 10–20 ms)
const WRITE_ALONE_ROWS = 100;
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (s: string) => !only || only.includes(s);
// BENCH_ONLY=peers / fleet: the side-by-side or the fleet benchmark alone (each writes its own results files)
const onlyPeers = only?.every((s) => s === 'peers' || s === 'fleet') ?? false;

type Row = { scenario: string; metric: string; values: number[]; median: number; baseline?: string; ratio?: number; target?: string; met?: boolean };
const rows: Row[] = [];

async function repeat<T extends object>(label: string, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await fn();
    console.log(`${label} run ${i + 1}/${RUNS}: ${JSON.stringify(r)}`);
    out.push(r);
  }
  return out;
}

function record(scenario: string, metric: string, values: number[], extra: Partial<Row> = {}): number {
  const m = median(values);
  rows.push({ scenario, metric, values, median: m, ...extra });
  return m;
}

async function main(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    console.log('building dist/ …');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const services: RunningService[] = [];
  const mqtt = await startService('mosquitto', { extraConfig: ['max_queued_messages 0', 'max_inflight_messages 0'] });
  services.push(mqtt);
  const env: Env = {
    mqttUrl: mqtt.env.SLUICE_TEST_MQTT_URL as string,
    n: num('BENCH_N', 100_000),
    backlog: num('BENCH_BACKLOG', 1_000_000),
    latencySeconds: num('BENCH_LATENCY_SECONDS', 10),
    latencyWarmupSeconds: num('BENCH_LATENCY_WARMUP_SECONDS', 2),
    latencyRate: num('BENCH_LATENCY_RATE', 5000),
    maxInFlight: process.env.BENCH_MAX_IN_FLIGHT ? num('BENCH_MAX_IN_FLIGHT', 1) : undefined,
    cpuProfileDir: process.env.BENCH_CPU_PROF ? join(ROOT, 'bench/results/profiles') : undefined,
  };
  if (env.cpuProfileDir) mkdirSync(env.cpuProfileDir, { recursive: true });
  const targets: Target[] = [fileTarget(mkdtempSync(join(tmpdir(), 'sluice-bench-out-')))];
  let kafkaBrokers: string | undefined;
  if (wanted('kafka') || wanted('peers')) {
    // the harness starts Kafka with C1-only JIT to start fast in tests; a benchmark wants the
    // broker as it runs in production
    process.env.SLUICE_KAFKA_JVM_OPTS ??= '-Xms512m -Xmx1g -XX:+UseG1GC -XX:-UsePerfData';
    const k = await startService('kafka');
    services.push(k);
    assertKafkaJvm(k, process.env.SLUICE_KAFKA_JVM_OPTS);
    kafkaBrokers = k.env.SLUICE_TEST_KAFKA_BROKERS as string;
    targets.push(kafkaTarget(kafkaBrokers));
  }
  if (wanted('clickhouse')) {
    const c = await startService('clickhouse');
    services.push(c);
    targets.push(clickhouseTarget(c.env.SLUICE_TEST_CLICKHOUSE_URL as string));
  }
  try {
    if (wanted('peers')) await runPeers({ mqttUrl: env.mqttUrl, kafkaBrokers, n: env.n, rounds: num('BENCH_ROUNDS', 5), idleMs: num('BENCH_PEERS_IDLE_MS', 20_000) });
    if (wanted('fleet')) await runFleet({ mqttUrl: env.mqttUrl, n: env.n, rounds: num('BENCH_ROUNDS', 3) });
    if (onlyPeers) return;
    const raw0 = record('raw limit', 'QoS 0 msg/s', (await repeat('raw qos0', () => rawLimit(env, 0))).map((r) => r.msgPerSec));
    const raw1 = record('raw limit', 'QoS 1 msg/s', (await repeat('raw qos1', () => rawLimit(env, 1))).map((r) => r.msgPerSec), { baseline: `QoS 0: ${raw0.toFixed(0)}` });
    const vsRaw = (v: number, min: number) => ({ baseline: 'raw QoS 1', ratio: v / raw1, target: `≥ ${min} × raw`, met: v / raw1 >= min });
    if (wanted('ingest')) {
      const rs = (await repeat('ingest', () => ingest(env))).map((r) => r.msgPerSec);
      record('ingest (journal, acked after commit)', 'msg/s', rs, vsRaw(median(rs), 0.9));
    }
    for (const t of targets) {
      if (!wanted('e2e')) break;
      const runs = await repeat(`e2e ${t.name}`, () => endToEnd(env, t));
      const rs = runs.map((r) => r.msgPerSec);
      const v = median(rs);
      record(`end-to-end → ${t.name}`, 'msg/s', rs, vsRaw(v, t.name === 'file' ? 0.8 : 0.6));
      record(`end-to-end → ${t.name}`, 'CPU µs/msg (Sluice process)', runs.map((r) => r.cpuUsPerMsg));
    }
    for (const t of targets) {
      if (!wanted('latency')) break;
      const rs = await repeat(`latency ${t.name}`, () => latency(env, t));
      record(`latency → ${t.name} @ ${env.latencyRate}/s`, 'p50 ms', rs.map((r) => r.p50));
      const p99 = median(rs.map((r) => r.p99));
      record(`latency → ${t.name} @ ${env.latencyRate}/s`, 'p99 ms', rs.map((r) => r.p99), { target: '≤ 50 ms', met: p99 <= 50 });
      record(`latency → ${t.name} @ ${env.latencyRate}/s`, 'max ms', rs.map((r) => r.max));
      record(`latency → ${t.name} @ ${env.latencyRate}/s`, 'sink write mean ms', rs.map((r) => r.sinkMeanMs), { baseline: 'one sendBatch call' });
      record(`latency → ${t.name} @ ${env.latencyRate}/s`, 'batches written', rs.map((r) => r.batches));
      const reads = rs.map((r) => r.readP50Ms).filter((v): v is number => v !== undefined);
      if (reads.length) record(`latency → ${t.name} @ ${env.latencyRate}/s`, 'read-back query p50 ms', reads, { baseline: 'the probe, polling every 5 ms' });
      if (t.writeAlone) {
        // what one write costs the server without Sluice, measured now, on the same machine
        const alone = await repeat(`${t.name} write alone`, async () => {
          const took = await (t.writeAlone as NonNullable<Target['writeAlone']>)(`alone_${t.name}_${process.pid}_${Date.now()}`, WRITE_ALONE_ROWS, 200);
          return { p50: percentile(took, 50), p99: percentile(took, 99) };
        });
        const base = `bare client, ${WRITE_ALONE_ROWS} rows per write`;
        record(`latency → ${t.name} @ ${env.latencyRate}/s`, 'write alone p50 ms', alone.map((r) => r.p50), { baseline: base });
        record(`latency → ${t.name} @ ${env.latencyRate}/s`, 'write alone p99 ms', alone.map((r) => r.p99), { baseline: base });
      }
    }
    if (wanted('backlog')) {
      const drainTarget = targets.find((t) => t.name === 'clickhouse') ?? (targets[0] as Target);
      const rs = await repeat(`backlog → ${drainTarget.name}`, () => backlog(env, drainTarget));
      const label = `backlog ${env.backlog.toLocaleString('en')} → ${drainTarget.name}`;
      const rss = median(rs.map((r) => r.peakRssMb));
      record(label, 'peak RSS MB', rs.map((r) => r.peakRssMb), { target: '≤ 250 MB', met: rss <= 250 });
      record(label, 'journal MB on disk', rs.map((r) => r.journalMb));
      const bpr = median(rs.map((r) => r.bytesPerRecord));
      record(label, 'journal bytes/record', rs.map((r) => r.bytesPerRecord), { target: '≤ 2 × 100 + 64 = 264', met: bpr <= 264 });
      const drain = median(rs.map((r) => r.drainPerSec));
      record(label, 'drain records/s', rs.map((r) => r.drainPerSec), drainTarget.name === 'clickhouse' ? { target: '≥ 50,000', met: drain >= 50_000 } : {});
    }
    if (wanted('transform')) {
      // with and without the transform interleaved in each round, so both see the same machine
      const file = targets[0] as Target;
      const rounds = await repeat('transform off / on', async () => ({ off: await transformCost(env, file, false), on: await transformCost(env, file, true) }));
      const label = 'transform (filter 1 in 10 + map of 3 fields) → file';
      const offCpu = record(label, 'CPU µs/msg without', rounds.map((r) => r.off.cpuUsPerMsg));
      const onCpu = median(rounds.map((r) => r.on.cpuUsPerMsg));
      record(label, 'CPU µs/msg with', rounds.map((r) => r.on.cpuUsPerMsg), { baseline: 'without', ratio: onCpu / offCpu, target: '≤ 1.25 × without', met: onCpu / offCpu <= 1.25 });
      const offRate = record(label, 'msg/s without', rounds.map((r) => r.off.msgPerSec));
      const onRate = median(rounds.map((r) => r.on.msgPerSec));
      record(label, 'msg/s with', rounds.map((r) => r.on.msgPerSec), { baseline: 'without', ratio: onRate / offRate });
    }
    if (wanted('drain')) await drainEveryType(env);
    if (wanted('fanout')) {
      const rs = await repeat('fan-out', () => connectorsAtOnce(env, 20));
      const v = median(rs.map((r) => r.msgPerSec));
      record('fan-out: 20 connectors → file', 'msg/s (aggregate)', rs.map((r) => r.msgPerSec), { baseline: 'raw QoS 1', ratio: v / raw1 });
      record('fan-out: 20 connectors → file', 'peak RSS MB', rs.map((r) => r.peakRssMb));
    }
    if (wanted('connectors')) {
      // one connector and CONNECTORS connectors, interleaved in each round, the same N messages
      const many = num('BENCH_CONNECTORS', 200);
      const rounds = await repeat(`1 vs ${many} connectors`, async () => ({ one: await connectorsAtOnce(env, 1), many: await connectorsAtOnce(env, many) }));
      const label = `${many} connectors in one process → file`;
      const one = record(label, 'msg/s, 1 connector', rounds.map((r) => r.one.msgPerSec));
      const agg = median(rounds.map((r) => r.many.msgPerSec));
      record(label, `msg/s, ${many} connectors (aggregate)`, rounds.map((r) => r.many.msgPerSec), { baseline: '1 connector', ratio: agg / one, target: '≥ 0.8 × 1 connector', met: agg / one >= 0.8 });
      const cpuOne = record(label, 'CPU µs/msg, 1 connector', rounds.map((r) => r.one.cpuUsPerMsg));
      const cpuMany = median(rounds.map((r) => r.many.cpuUsPerMsg));
      record(label, `CPU µs/msg, ${many} connectors`, rounds.map((r) => r.many.cpuUsPerMsg), { baseline: '1 connector', ratio: cpuMany / cpuOne });
      record(label, 'peak RSS MB, 1 connector', rounds.map((r) => r.one.peakRssMb), { target: '≤ 100 MB', met: median(rounds.map((r) => r.one.peakRssMb)) <= 100 });
      const rss = median(rounds.map((r) => r.many.peakRssMb));
      record(label, `peak RSS MB, ${many} connectors`, rounds.map((r) => r.many.peakRssMb), { target: '≤ 300 MB', met: rss <= 300 });
      record(label, `seconds to create ${many} connectors`, rounds.map((r) => r.many.createSeconds));
    }
  } finally {
    for (const t of targets) await t.close().catch(() => undefined);
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
  }
  writeResults(env);
}

/** The broker's JVM really runs with `opts` (read from /proc): the benchmark's figures depend on it. */
function assertKafkaJvm(k: RunningService, opts: string): void {
  const cmd = kafkaBrokerCommandLine(k.env.SLUICE_TEST_KAFKA_LOG_DIR as string);
  const lacking = opts.split(/\s+/).filter((o) => o && !cmd.includes(o));
  if (lacking.length) throw new Error(`kafka broker runs without ${lacking.join(' ')}: ${cmd.join(' ')}`);
  console.log(`kafka broker JVM: ${cmd.filter((a) => a.startsWith('-X')).join(' ')}`);
}

/** bench/drain/<type>.ts, each exporting `drainTarget`; BENCH_DRAIN_TYPES=a,b picks some */
async function drainTargets(): Promise<DrainTarget[]> {
  const picked = process.env.BENCH_DRAIN_TYPES?.split(',');
  const files = readdirSync(join(ROOT, 'bench/drain')).filter((f) => f.endsWith('.ts') && f !== 'drain-target.ts').sort();
  const out: DrainTarget[] = [];
  for (const f of files) {
    const t = ((await import(`./drain/${f.replace(/\.ts$/, '.js')}`)) as { drainTarget: DrainTarget }).drainTarget;
    if (!picked || picked.includes(t.name)) out.push(t);
  }
  return out;
}

/** For each type: Sluice draining a journaled backlog vs the bare client's batch writes, same server, same run. */
async function drainEveryType(env: Env): Promise<void> {
  const total = num('BENCH_DRAIN_BACKLOG', 200_000);
  const batch = 5000; // the backlog scenario's batch_size
  for (const t of await drainTargets()) {
    const run = await t.start();
    try {
      const label = `drain ${total.toLocaleString('en')} → ${t.name}`;
      const bare = await repeat(`${t.name} bare client`, async () => ({ perSec: await run.bareRate(`bare_${t.name}_${process.pid}_${Date.now()}`, total, batch) }));
      const bareMedian = record(label, `bare client ${t.unit}/s`, bare.map((r) => r.perSec), { baseline: `batches of ${batch}` });
      const drained = await repeat(`drain → ${t.name}`, async () => {
        let id = '';
        const r = await backlog({ ...env, backlog: total }, { name: t.name, connector: (i) => ((id = i), run.target.connector(i)) });
        const arrived = await run.target.count(id);
        if (arrived < total) throw new Error(`${t.name}: ${arrived} of ${total} records arrived`);
        return { perSec: r.drainPerSec, arrived };
      });
      const v = median(drained.map((r) => r.perSec));
      record(label, `Sluice ${t.unit}/s`, drained.map((r) => r.perSec), { baseline: 'bare client', ratio: v / bareMedian, target: `≥ 0.7 × bare, ≥ ${t.goal.toLocaleString('en')}`, met: v / bareMedian >= 0.7 && v >= t.goal });
    } finally {
      await run.stop();
    }
  }
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2);
}

function writeResults(env: Env): void {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const when = new Date().toISOString();
  const header = `# Sluice benchmark results\n\nGenerated by \`npm run bench\` (bench/run.ts) on ${when}; ${RUNS} runs per figure, median shown (all runs in brackets).\n` +
    `N = ${env.n.toLocaleString('en')} messages of 100 bytes (QoS 1 unless stated), backlog ${env.backlog.toLocaleString('en')}, latency at ${env.latencyRate} msg/s for ${env.latencySeconds} s after ${env.latencyWarmupSeconds} s of warm-up at that rate. ` +
    `Machine: ${execFileSync('nproc').toString().trim()} cores, Node ${process.version}. Ratios are against the raw QoS 1 limit measured in this same run.\n\n`;
  const table = ['| scenario | metric | median | runs | baseline | ratio | target | met |', '|---|---|---|---|---|---|---|---|']
    .concat(rows.map((r) => `| ${r.scenario} | ${r.metric} | ${fmt(r.median)} | ${r.values.map(fmt).join(', ')} | ${r.baseline ?? ''} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'no'} |`))
    .join('\n');
  // BENCH_OUT names the files of a partial run (BENCH_ONLY), so the full run's results stay
  const out = process.env.BENCH_OUT ?? 'results';
  writeFileSync(join(dir, `${out}.md`), `${header}${table}\n`);
  writeFileSync(join(dir, `${out}.json`), `${JSON.stringify({ generated_at: when, runs: RUNS, env: { ...env, cpuProfileDir: undefined }, rows }, null, 2)}\n`);
  console.log(`\n${table}\n\nwritten to bench/results/${out}.md and ${out}.json`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
