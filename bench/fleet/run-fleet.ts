// `BENCH_ONLY=fleet npm run bench`: aggregate throughput into the file sink with a fleet of 1, 2
// and 3 Sluice processes sharing one PostgreSQL store and one Mosquitto (shared subscription),
// the fleet sizes interleaved in each round. Each process writes its own file (a relative path in
// its own directory); every record is counted back from the files. Writes
// bench/results/fleet.{md,json}.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startService } from '../../test/harness/services.js';
import { median, publish, ROOT, waitFor } from '../lib.js';
import { SluiceProcess } from '../sluice-process.js';

export interface FleetRun {
  processes: number;
  msgPerSec: number;
  /** CPU (user + system) of all Sluice processes together, per message */
  cpuUsPerMsg: number;
  /** the largest peak RSS of one process */
  peakRssMb: number;
  /** how many messages each process took */
  shares: number[];
  missing: number;
  duplicates: number;
}

const OUT = 'out/fleet.jsonl';
let runId = 0;

function seqsIn(dir: string): number[] {
  let text: string;
  try {
    text = readFileSync(join(dir, OUT), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse((JSON.parse(l) as { payload: string }).payload) as { seq: number }).seq);
}

async function fleetRun(mqttUrl: string, storeUrl: string, k: number, n: number): Promise<FleetRun> {
  const id = `fleet_${process.pid}_${++runId}`;
  const procs = await Promise.all(Array.from({ length: k }, (_, i) => SluiceProcess.start(mqttUrl, [], { SLUICE_STORE_URL: storeUrl, SLUICE_INSTANCE_NAME: `${id}-${i}`, SLUICE_HEARTBEAT_MS: '1000' })));
  try {
    const [first] = procs as [SluiceProcess];
    await first.create({ name: id, type: 'file', topic_filter: `${id}/#`, config: { local_file_path: OUT }, delivery: { batch_size: 1000, linger_ms: 5 } });
    for (const p of procs) await waitFor(`${id} subscribed on every process`, async () => ((await p.status(id).catch(() => undefined))?.source_connected ? true : undefined), 30_000, 50);
    const cpu0 = procs.map((p) => p.cpuMs());
    const pub = await publish({ url: mqttUrl, topics: [`${id}/a`, `${id}/b`], count: n, qos: 1, clientId: `${id}-pub` });
    const doneAt = await waitFor('every record written', async () => {
      const written = (await Promise.all(procs.map((p) => p.status(id)))).reduce((s, x) => s + x.written, 0);
      return written >= n ? Date.now() : undefined;
    }, 900_000, 10);
    const cpuMs = procs.reduce((s, p, i) => s + p.cpuMs() - (cpu0[i] as number), 0);
    const perProcess = procs.map((p) => seqsIn(p.dir));
    const seen = new Map<number, number>();
    for (const seqs of perProcess) for (const s of seqs) seen.set(s, (seen.get(s) ?? 0) + 1);
    let missing = 0;
    for (let s = 0; s < n; s++) if (!seen.has(s)) missing++;
    const duplicates = [...seen.values()].reduce((d, c) => d + c - 1, 0);
    await first.api('DELETE', `/api/v1/connectors/${id}`);
    return {
      processes: k,
      msgPerSec: n / ((doneAt - pub.startedAt) / 1000),
      cpuUsPerMsg: (cpuMs * 1000) / n,
      peakRssMb: Math.max(...procs.map((p) => p.memory().peakRssMb)),
      shares: perProcess.map((s) => s.length),
      missing,
      duplicates,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

export async function runFleet(o: { mqttUrl: string; n: number; rounds: number; sizes?: number[] }): Promise<void> {
  const sizes = o.sizes ?? [1, 2, 3];
  const pg = await startService('postgres');
  try {
    const e = pg.env;
    const storeUrl = `postgres://${e.SLUICE_TEST_POSTGRES_USER}:${encodeURIComponent(e.SLUICE_TEST_POSTGRES_PASSWORD ?? '')}@${e.SLUICE_TEST_POSTGRES_HOST}:${e.SLUICE_TEST_POSTGRES_PORT}/${e.SLUICE_TEST_POSTGRES_DB ?? 'postgres'}`;
    const runs: FleetRun[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      for (const k of sizes) {
        const r = await fleetRun(o.mqttUrl, storeUrl, k, o.n);
        console.log(`fleet round ${round}/${o.rounds}, ${k} process${k === 1 ? '' : 'es'}: ${JSON.stringify(r)}`);
        runs.push(r);
      }
    }
    writeFleetResults(runs, sizes, o);
  } finally {
    await pg.stop();
  }
}

function writeFleetResults(runs: FleetRun[], sizes: number[], o: { n: number; rounds: number }): void {
  const of = (k: number) => runs.filter((r) => r.processes === k);
  const one = median(of(1).map((r) => r.msgPerSec));
  const rows = sizes.map((k) => {
    const rs = of(k);
    const rate = median(rs.map((r) => r.msgPerSec));
    return {
      processes: k,
      msgPerSec: rate,
      vsOne: rate / one,
      cpuUsPerMsg: median(rs.map((r) => r.cpuUsPerMsg)),
      peakRssMb: median(rs.map((r) => r.peakRssMb)),
      runsMsgPerSec: rs.map((r) => Math.round(r.msgPerSec)),
      shares: rs.at(-1)?.shares ?? [],
      missing: rs.reduce((s, r) => s + r.missing, 0),
      duplicates: rs.reduce((s, r) => s + r.duplicates, 0),
    };
  });
  const cpu1 = rows[0]?.cpuUsPerMsg ?? 0;
  const cpuMax = rows.at(-1)?.cpuUsPerMsg ?? 0;
  // a process needs c µs of one core per message: with a free core per process, k processes carry
  // k × 1e6 / c msg/s until the broker or the target is the limit. c is taken twice: the 1-process
  // cost (optimistic) and the largest fleet's (each process sees a smaller share: smaller batches)
  const modelOf = (c: number) => [1, 2, 4, 8].map((k) => ({ processes: k, msgPerSec: c > 0 ? (k * 1e6) / c : 0 }));
  const model = { optimistic: modelOf(cpu1), conservative: modelOf(cpuMax) };
  const out = join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  const json = { when: new Date().toISOString(), cores: cpus().length, n: o.n, rounds: o.rounds, note: process.env.BENCH_NOTE ?? '', rows, model, runs };
  writeFileSync(join(out, 'fleet.json'), `${JSON.stringify(json, null, 2)}\n`);
  const fmt = (v: number) => Math.round(v).toLocaleString('en');
  const md = [
    `# Fleet: 1, 2 and 3 Sluice processes into the file sink`,
    '',
    `${o.n.toLocaleString('en')} QoS 1 messages of ~100 bytes through one Mosquitto, one connector on a shared PostgreSQL store, split by the shared subscription; medians of ${o.rounds} interleaved rounds on a ${cpus().length}-core machine (publisher, broker, PostgreSQL and every Sluice process share it)${json.note ? `; ${json.note}` : ''}. \`BENCH_ONLY=fleet npm run bench\`, ${json.when.slice(0, 10)}.`,
    '',
    '| processes | msg/s (all together) | vs 1 process | CPU µs/msg (all processes) | peak RSS per process | messages per process (last round) | missing | duplicates |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.processes} | ${fmt(r.msgPerSec)} | ${r.vsOne.toFixed(2)}× | ${r.cpuUsPerMsg.toFixed(1)} | ${r.peakRssMb.toFixed(0)} MB | ${r.shares.map(fmt).join(' / ')} | ${r.missing} | ${r.duplicates} |`),
    '',
    `Model for a machine with a free core per process, until the broker or the target becomes the limit: from the 1-process CPU cost (${cpu1.toFixed(1)} µs/msg) ${model.optimistic.map((m) => `${m.processes} → ${fmt(m.msgPerSec)}`).join(', ')} msg/s; from the ${rows.at(-1)?.processes}-process cost (${cpuMax.toFixed(1)} µs/msg) ${model.conservative.map((m) => `${m.processes} → ${fmt(m.msgPerSec)}`).join(', ')} msg/s.`,
    '',
  ].join('\n');
  writeFileSync(join(out, 'fleet.md'), md);
  console.log(md);
}
