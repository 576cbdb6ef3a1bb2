// One function per benchmark scenario; each returns the figures of one run.
import { join } from 'node:path';
import { inFlightOf } from '../src/metadata/in-flight.js';
import { parseConnectorType } from '../src/metadata/registry.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { publish, runTs, waitFor, sleep, percentile } from './lib.js';
import { SluiceProcess } from './sluice-process.js';
import type { Target } from './targets.js';

export interface Env {
  mqttUrl: string;
  n: number;
  backlog: number;
  latencySeconds: number;
  /** published at the same rate before the measured seconds, not counted */
  latencyWarmupSeconds: number;
  latencyRate: number;
  cpuProfileDir?: string;
  /** delivery.max_in_flight of the measured connectors (BENCH_MAX_IN_FLIGHT); unset: the type's default */
  maxInFlight?: number;
}

let runId = 0;
const uid = (p: string) => `${p}_${process.pid}_${++runId}`;

function sluiceArgs(env: Env, label: string): string[] {
  const extra = process.env.BENCH_SLUICE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // one directory per run: the main thread and the checkpoint worker each write a profile
  return env.cpuProfileDir ? [...extra, '--cpu-prof', `--cpu-prof-dir=${join(env.cpuProfileDir, `${label}-${runId}`)}`] : extra;
}

/** Bare mqtt.js subscriber that only counts: the ceiling everything else is measured against. */
export async function rawLimit(env: Env, qos: 0 | 1): Promise<{ msgPerSec: number }> {
  const topic = uid('raw');
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const sub = runTs('raw-subscriber.ts', { url: env.mqttUrl, filter: `${topic}/#`, qos, count: env.n }, (l) => l === 'ready' && ready());
  await isReady;
  const pub = await publish({ url: env.mqttUrl, topics: [`${topic}/a`, `${topic}/b`], count: env.n, qos, clientId: uid('pub') });
  const lines = await sub.done;
  const r = JSON.parse(lines[lines.length - 1] as string) as { lastAt: number };
  return { msgPerSec: env.n / ((r.lastAt - pub.startedAt) / 1000) };
}

/** Sluice receiving and journaling only (the connector is paused, so nothing is written). */
export async function ingest(env: Env): Promise<{ msgPerSec: number }> {
  const s = await SluiceProcess.start(env.mqttUrl, sluiceArgs(env, 'ingest'));
  try {
    const topic = uid('ingest');
    await s.create({ name: 'ingest', type: 'file', config: { local_file_path: join(s.dir, 'never.jsonl') }, topic_filter: `${topic}/#`, desired_state: 'paused' });
    const pub = await publish({ url: env.mqttUrl, topics: [`${topic}/a`, `${topic}/b`], count: env.n, qos: 1, clientId: uid('pub') });
    const doneAt = await waitFor('journal to hold every message', async () => ((await s.status('ingest')).received >= env.n ? Date.now() : undefined), 600_000, 10);
    return { msgPerSec: env.n / ((doneAt - pub.startedAt) / 1000) };
  } finally {
    await s.stop();
  }
}

/** From first publish to last record written (readable) in the target. */
/** BENCH_MAX_IN_FLIGHT: delivery.max_in_flight of the measured connector, up to what its type takes (unset: the type's default) */
const inFlight = (env: Env, type: unknown) => (env.maxInFlight ? { max_in_flight: Math.min(env.maxInFlight, inFlightOf(parseConnectorType(type)).max) } : {});

export async function endToEnd(env: Env, target: Target): Promise<{ msgPerSec: number; cpuUsPerMsg: number }> {
  const s = await SluiceProcess.start(env.mqttUrl, sluiceArgs(env, `e2e-${target.name}`));
  try {
    const id = uid(`e2e_${target.name}`);
    await s.create({ name: 'e2e', ...target.connector(id), topic_filter: `${id}/#`, delivery: { batch_size: 1000, linger_ms: 5, ...inFlight(env, target.connector(id).type) } });
    const cpu0 = s.cpuMs();
    const pub = await publish({ url: env.mqttUrl, topics: [`${id}/a`, `${id}/b`], count: env.n, qos: 1, clientId: uid('pub') });
    const doneAt = await waitFor('every record written', async () => ((await s.status('e2e')).written >= env.n ? Date.now() : undefined), 900_000, 10);
    const cpuUsPerMsg = ((s.cpuMs() - cpu0) * 1000) / env.n;
    const readable = await target.count(id);
    if (readable < env.n) throw new Error(`${target.name}: only ${readable} of ${env.n} records readable`);
    return { msgPerSec: env.n / ((doneAt - pub.startedAt) / 1000), cpuUsPerMsg };
  } finally {
    await s.stop();
  }
}

/** A typical transform: drop one message in ten, keep three fields and add a topic level. */
export const TYPICAL_TRANSFORM = {
  filter: 'payload.seq % 10 != 9',
  map: { payload: '{ "seq": payload.seq, "t": payload.t, "source": topic_levels[1] }' },
};

/**
 * First publish → every record settled in the file sink, with or without TYPICAL_TRANSFORM: msg/s and
 * the CPU (user + system) the Sluice process spent per published message.
 */
export async function transformCost(env: Env, target: Target, withTransform: boolean): Promise<{ msgPerSec: number; cpuUsPerMsg: number }> {
  const s = await SluiceProcess.start(env.mqttUrl, sluiceArgs(env, `transform-${withTransform ? 'on' : 'off'}`));
  try {
    const id = uid(`tf_${withTransform ? 'on' : 'off'}`);
    await s.create({ name: 'tf', ...target.connector(id), topic_filter: `${id}/#`, delivery: { batch_size: 1000, linger_ms: 5 }, ...(withTransform ? { transform: TYPICAL_TRANSFORM } : {}) });
    const cpu0 = s.cpuMs();
    const pub = await publish({ url: env.mqttUrl, topics: [`${id}/a`, `${id}/b`], count: env.n, qos: 1, clientId: uid('pub') });
    const doneAt = await waitFor('every record settled', async () => {
      const st = await s.status('tf');
      return st.written + (st.filtered ?? 0) >= env.n ? Date.now() : undefined;
    }, 900_000, 10);
    const cpu = s.cpuMs() - cpu0;
    const expected = withTransform ? env.n - Math.floor(env.n / 10) : env.n;
    const readable = await target.count(id);
    if (readable !== expected) throw new Error(`transform ${withTransform ? 'on' : 'off'}: ${readable} of ${expected} records readable`);
    return { msgPerSec: env.n / ((doneAt - pub.startedAt) / 1000), cpuUsPerMsg: (cpu * 1000) / env.n };
  } finally {
    await s.stop();
  }
}

/** Publish → readable in the target at a fixed rate. */
/** Count and mean duration of the sink writes, from the process's own histogram. */
async function batchStats(s: SluiceProcess): Promise<{ count: number; meanMs: number }> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const sum = (metric: string) => text.split('\n').filter((l) => l.startsWith(metric)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  const count = sum('sluice_batch_duration_seconds_count');
  return { count, meanMs: count ? (sum('sluice_batch_duration_seconds_sum') / count) * 1000 : 0 };
}

export async function latency(env: Env, target: Target): Promise<{ p50: number; p99: number; max: number; samples: number; batches: number; sinkMeanMs: number; readP50Ms?: number }> {
  const s = await SluiceProcess.start(env.mqttUrl, sluiceArgs(env, `latency-${target.name}`));
  try {
    const id = uid(`lat_${target.name}`);
    await s.create({ name: 'lat', ...target.connector(id), topic_filter: `${id}/#`, delivery: { batch_size: 1000, linger_ms: 2 } });
    const probe = await target.latency(id);
    // one steady stream: the first seconds warm up Sluice (JIT), the producer and the reader, and
    // are left out; the published count covers both
    const warmup = env.latencyRate * env.latencyWarmupSeconds;
    const count = warmup + env.latencyRate * env.latencySeconds;
    await publish({ url: env.mqttUrl, topics: [`${id}/a`], count, qos: 1, rate: env.latencyRate, clientId: uid('pub') });
    await waitFor('every record written', async () => ((await s.status('lat')).written >= count ? true : undefined), 120_000, 20);
    await sleep(300);
    const seen = await probe.stop();
    if (new Set(seen.map((x) => x.seq)).size < count) throw new Error(`${target.name}: latency probe saw ${seen.length} of ${count}`);
    const lat = seen.filter((x) => x.seq >= warmup).map((x) => x.ms);
    const batch = await batchStats(s);
    const reads = probe.readDurations?.();
    return { p50: percentile(lat, 50), p99: percentile(lat, 99), max: Math.max(...lat), samples: lat.length, batches: batch.count, sinkMeanMs: batch.meanMs, ...(reads?.length ? { readP50Ms: percentile(reads, 50) } : {}) };
  } finally {
    await s.stop();
  }
}

/** Sink down (connector paused) while `backlog` messages arrive; then the sink comes back. */
export async function backlog(env: Env, target: Pick<Target, 'name' | 'connector'>): Promise<{ peakRssMb: number; journalMb: number; bytesPerRecord: number; drainPerSec: number }> {
  const s = await SluiceProcess.start(env.mqttUrl, sluiceArgs(env, 'backlog'));
  try {
    const id = uid(`backlog_${target.name}`);
    await s.create({ name: 'backlog', ...target.connector(id), topic_filter: `${id}/#`, desired_state: 'paused', delivery: { batch_size: 5000, linger_ms: 5, max_journal_bytes: 4 * 1024 ** 3, ...inFlight(env, target.connector(id).type) } });
    await publish({ url: env.mqttUrl, topics: [`${id}/a`, `${id}/b`], count: env.backlog, qos: 1, window: 2000, clientId: uid('pub') });
    await waitFor('backlog journaled', async () => ((await s.status('backlog')).received >= env.backlog ? true : undefined), 1_800_000, 100);
    const journalBytes = s.journalBytes();
    const resumedAt = Date.now();
    await s.api('POST', '/api/v1/connectors/backlog/resume');
    const drainedAt = await waitFor('backlog drained', async () => ((await s.status('backlog')).pending === 0 ? Date.now() : undefined), 1_800_000, 50);
    const mem = s.memory();
    return { peakRssMb: mem.peakRssMb, journalMb: journalBytes / 1024 ** 2, bytesPerRecord: journalBytes / env.backlog, drainPerSec: env.backlog / ((drainedAt - resumedAt) / 1000) };
  } finally {
    await s.stop();
  }
}

/** Sum of a counter over every connector, from /metrics (one request, however many connectors). */
async function metricTotal(s: SluiceProcess, metric: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/**
 * `count` connectors in one process, each on its own topic filter into its own file, the N messages
 * spread evenly over them: aggregate msg/s (first publish to last record written), the process's
 * CPU per message and its peak RSS (VmHWM, start-up and creation included).
 */
export async function connectorsAtOnce(env: Env, count: number): Promise<{ msgPerSec: number; cpuUsPerMsg: number; peakRssMb: number; createSeconds: number }> {
  const s = await SluiceProcess.start(env.mqttUrl, sluiceArgs(env, `connectors-${count}`));
  const dir = mkdtempSync(join(tmpdir(), 'sluice-fanout-'));
  try {
    const id = uid('fan');
    const names = Array.from({ length: count }, (_, i) => `fan${i}`);
    const created = Date.now();
    // created a few at a time: each waits for its subscription
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map((name, k) => s.create({ name, type: 'file', config: { local_file_path: join(dir, `${name}.jsonl`) }, topic_filter: `${id}/${i + k}/#`, delivery: { batch_size: 1000, linger_ms: 5 } })));
    }
    const createSeconds = (Date.now() - created) / 1000;
    const topics = names.map((_, i) => `${id}/${i}/data`);
    const cpu0 = s.cpuMs();
    const pub = await publish({ url: env.mqttUrl, topics, count: env.n, qos: 1, clientId: uid('pub') });
    const doneAt = await waitFor('every connector written', async () => ((await metricTotal(s, 'sluice_written_total')) >= env.n ? Date.now() : undefined), 900_000, 100);
    const cpu = s.cpuMs() - cpu0;
    const written = (await Promise.all(names.map((n) => s.status(n)))).reduce((a, st) => a + st.written, 0);
    if (written !== env.n) throw new Error(`${count} connectors: ${written} of ${env.n} written`);
    return { msgPerSec: env.n / ((doneAt - pub.startedAt) / 1000), cpuUsPerMsg: (cpu * 1000) / env.n, peakRssMb: s.memory().peakRssMb, createSeconds };
  } finally {
    await s.stop();
  }
}
