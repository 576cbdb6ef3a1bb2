// The side-by-side benchmark (BENCH_ONLY=peers): the same N QoS 1 messages through one
// Mosquitto into a file and into Kafka, for Sluice, Telegraf, Benthos and a raw subscriber,
// interleaved in every round (the order rotates each round), so each product sees the same
// machine. Each run: a fresh topic and persistent session; a warm-up message until the product's
// output shows it (so it is subscribed and connected to its sink); then N messages, timed from
// the first publish until N records are in the output; CPU (user + system) of the product's
// process over that window per message; its peak RSS; and the output read back for missing and
// duplicate sequence numbers.
import mqtt, { type MqttClient } from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publish, runTs, sleep } from '../lib.js';
import { makePayload } from '../payload.js';
import { ensurePeerBinaries } from './binaries.js';
import { benthosProduct, sluiceProduct, telegrafProduct, type Product, type RunningProduct } from './products.js';
import { fileSink, kafkaSink, type SinkKind, type SinkRun } from './sinks.js';
import type { Delivery } from './seqs.js';

export const RAW = 'raw subscriber';

export interface PeerEnv {
  mqttUrl: string;
  kafkaBrokers?: string;
  n: number;
  rounds: number;
  /** a run ends as incomplete when its output has not grown for this long after the last publish */
  idleMs: number;
}

export interface RunFigures extends Delivery {
  sink: string;
  product: string;
  round: number;
  msgPerSec: number;
  cpuUsPerMsg: number;
  peakRssMb: number;
}

export interface ProductInfo {
  name: string;
  version: string;
  guarantee: string;
}

let seq = 0;
const uid = (p: string) => `${p}_${process.pid}_${++seq}`;
/** warm-up messages carry sequence numbers far above any N, so no count takes them */
const WARM_SEQ = 1_000_000_000;

export async function sideBySide(env: PeerEnv): Promise<{ runs: RunFigures[]; products: ProductInfo[] }> {
  const bins = ensurePeerBinaries();
  const products: Product[] = [sluiceProduct(), telegrafProduct(bins), benthosProduct(bins)];
  const outDir = mkdtempSync(join(tmpdir(), 'sluice-bench-peers-'));
  const sinks: SinkKind[] = [fileSink(outDir), ...(env.kafkaBrokers ? [kafkaSink(env.kafkaBrokers)] : [])];
  const warm = await mqtt.connectAsync(env.mqttUrl, { clientId: uid('peers_warm'), protocolVersion: 4, clean: true });
  const runs: RunFigures[] = [];
  const contenders = [RAW, ...products.map((p) => p.name)];
  try {
    for (let round = 1; round <= env.rounds; round++) {
      for (const sink of sinks) {
        // rotate the order every round, so none always runs first (or right after a JVM's GC)
        const order = contenders.map((_, i) => contenders[(i + round - 1) % contenders.length] as string);
        for (const name of order) {
          const product = products.find((p) => p.name === name);
          const f = product ? await runProduct(env, sink, product, warm) : await runRaw(env);
          const r: RunFigures = { ...f, sink: sink.name, product: name, round };
          runs.push(r);
          console.log(`peers round ${round}/${env.rounds} → ${sink.name} ${name}: ${r.msgPerSec.toFixed(0)} msg/s, ${r.cpuUsPerMsg.toFixed(1)} µs/msg CPU, peak RSS ${r.peakRssMb.toFixed(0)} MB, missing ${r.missing}, duplicates ${r.duplicates}`);
        }
      }
    }
  } finally {
    await warm.endAsync();
    for (const s of sinks) await s.close().catch(() => undefined);
    rmSync(outDir, { recursive: true, force: true });
  }
  const products_: ProductInfo[] = [
    { name: RAW, version: 'mqtt.js', guarantee: 'none: counts what arrives and writes nothing (the ceiling of the broker and this machine)' },
    ...products.map((p) => ({ name: p.name, version: p.version, guarantee: p.guarantee })),
  ];
  return { runs, products: products_ };
}

type Figures = Omit<RunFigures, 'sink' | 'product' | 'round'>;

async function runRaw(env: PeerEnv): Promise<Figures> {
  const id = uid('peers_raw');
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const sub = runTs('peers/raw-counter.ts', { url: env.mqttUrl, filter: `${id}/#`, clientId: id, n: env.n, idleMs: env.idleMs }, (l) => l === 'ready' && ready());
  await Promise.race([isReady, sub.done.then(() => Promise.reject(new Error('raw counter exited before it subscribed')))]);
  const pub = await publish({ url: env.mqttUrl, topics: [`${id}/a`, `${id}/b`], count: env.n, qos: 1, clientId: `${id}_pub` });
  const lines = await sub.done;
  const r = JSON.parse(lines[lines.length - 1] as string) as Delivery & { lastAt: number; cpuUs: number; maxRssKb: number };
  return { distinct: r.distinct, missing: r.missing, duplicates: r.duplicates, msgPerSec: r.distinct / ((r.lastAt - pub.startedAt) / 1000), cpuUsPerMsg: r.cpuUs / env.n, peakRssMb: r.maxRssKb / 1024 };
}

async function runProduct(env: PeerEnv, kind: SinkKind, product: Product, warm: MqttClient): Promise<Figures> {
  const id = uid(`peers_${kind.name}_${product.name.toLowerCase()}`);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-peer-run-'));
  const sink = await kind.open(id);
  const p = await product.start({ mqttUrl: env.mqttUrl, filter: `${id}/#`, clientId: id, sink: sink.spec, dir });
  try {
    await warmUp(warm, id, sink, p, product.name);
    const base = await sink.progress();
    const cpu0 = p.cpuMs();
    let published = false;
    const pub = publish({ url: env.mqttUrl, topics: [`${id}/a`, `${id}/b`], count: env.n, qos: 1, clientId: `${id}_pub` }).finally(() => (published = true));
    let last = base;
    let lastChangeAt = Date.now();
    let doneAt: number;
    let cpuAtDone: number;
    for (;;) {
      const c = await sink.progress();
      const now = Date.now();
      if (c !== last) {
        last = c;
        lastChangeAt = now;
      }
      if (c - base >= env.n || (published && now - lastChangeAt > env.idleMs)) {
        doneAt = c - base >= env.n ? now : lastChangeAt;
        cpuAtDone = p.cpuMs();
        break;
      }
      await sleep(10);
    }
    const { startedAt } = await pub;
    await sleep(1000); // a copy sent twice may land just after the last one
    let d = await sink.readBack(env.n);
    // a second warm-up message may have counted as one of the n: wait for the rest, if it comes
    for (let since = Date.now(); d.missing > 0 && Date.now() - since < env.idleMs; ) {
      await sleep(1000);
      const next = await sink.readBack(env.n);
      if (next.distinct > d.distinct) {
        since = Date.now();
        doneAt = since;
        cpuAtDone = p.cpuMs();
      }
      d = next;
    }
    const mem = p.memory();
    return { ...d, msgPerSec: d.distinct / ((doneAt - startedAt) / 1000), cpuUsPerMsg: ((cpuAtDone - cpu0) * 1000) / env.n, peakRssMb: mem.peakRssMb };
  } catch (e) {
    throw new Error(`${product.name} → ${kind.name}: ${(e as Error).message}\n${p.logTail()}`);
  } finally {
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** one message at a time until the product's output shows one: it is subscribed and writing */
async function warmUp(warm: MqttClient, id: string, sink: SinkRun, p: RunningProduct, name: string): Promise<void> {
  const until = Date.now() + 90_000;
  for (let k = 0; Date.now() < until; k++) {
    await warm.publishAsync(`${id}/warm`, makePayload(WARM_SEQ + k, Date.now()), { qos: 1 });
    for (const t = Date.now() + 2000; Date.now() < t; ) {
      p.cpuMs(); // throws when the process has exited
      if ((await sink.progress()) > 0) return;
      await sleep(20);
    }
  }
  throw new Error(`${name}: no warm-up message reached its output in 90 s`);
}
