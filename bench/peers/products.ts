// The products of the side-by-side benchmark, each started as its own process for one run:
// Sluice (dist/, one connector), Telegraf and Benthos (built by bench/peers/build.sh, configured
// by the files beside this one). Each states the delivery guarantee it gives as configured.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuMsOf, memoryOf, ROOT, sleep } from '../lib.js';
import { SluiceProcess } from '../sluice-process.js';
import type { PeerBinaries } from './binaries.js';
import type { SinkSpec } from './sinks.js';

export interface ProductRun {
  mqttUrl: string;
  /** the topic filter to subscribe to, QoS 1, on a persistent session */
  filter: string;
  /** the MQTT client id of the persistent session */
  clientId: string;
  sink: SinkSpec;
  /** a temp dir of this run (logs) */
  dir: string;
}

export interface RunningProduct {
  /** CPU time (user + system) of the product's process so far, ms */
  cpuMs(): number;
  memory(): { rssMb: number; peakRssMb: number };
  /** the last lines the process logged (for errors) */
  logTail(): string;
  stop(): Promise<void>;
}

export interface Product {
  name: string;
  version: string;
  /** what the broker's acknowledgement means, as configured here */
  guarantee: string;
  start(run: ProductRun): Promise<RunningProduct>;
}

export function sluiceProduct(): Product {
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    name: 'Sluice',
    version,
    guarantee: 'at-least-once: acknowledges a message to the broker after the journal transaction holding it committed; delivers from the journal, so a crash or a sink outage loses nothing',
    async start(run) {
      const s = await SluiceProcess.start(run.mqttUrl, process.env.BENCH_SLUICE_NODE_ARGS?.split(' ').filter(Boolean) ?? []);
      try {
        const connector = run.sink.kind === 'file'
          ? { type: 'file', config: { local_file_path: run.sink.path } }
          : { type: 'kafka', config: { bootstrap_servers: run.sink.brokers, topic: run.sink.topic, acks: 'all' } };
        await s.create({ name: 'peers', ...connector, topic_filter: run.filter, delivery: { batch_size: 1000, linger_ms: 5 } });
      } catch (e) {
        await s.stop();
        throw e;
      }
      return { cpuMs: () => s.cpuMs(), memory: () => s.memory(), logTail: () => '', stop: () => s.stop() };
    },
  };
}

/** the environment the committed peer configs read (`${PEER_*}`) */
function peerEnv(run: ProductRun): Record<string, string> {
  const url = new URL(run.mqttUrl);
  return {
    PEER_MQTT_SERVER: `tcp://${url.hostname}:${url.port || '1883'}`,
    PEER_TOPIC_FILTER: run.filter,
    PEER_CLIENT_ID: run.clientId,
    ...(run.sink.kind === 'file' ? { PEER_OUT_FILE: run.sink.path } : { PEER_KAFKA_BROKERS: run.sink.brokers, PEER_KAFKA_TOPIC: run.sink.topic }),
  };
}

function runBinary(bin: string, args: string[], run: ProductRun, name: string): RunningProduct {
  const logPath = join(run.dir, `${name}.log`);
  const log = openSync(logPath, 'a');
  const proc: ChildProcess = spawn(bin, args, { env: { ...process.env, ...peerEnv(run) }, stdio: ['ignore', log, log], cwd: run.dir });
  closeSync(log);
  let exited = false;
  proc.once('exit', () => (exited = true));
  const pid = proc.pid as number;
  const logTail = () => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '';
    }
  };
  return {
    cpuMs: () => {
      if (exited) throw new Error(`${name} exited:\n${logTail()}`);
      return cpuMsOf(pid);
    },
    memory: () => memoryOf(pid),
    logTail,
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const killed = await Promise.race([gone.then(() => true), sleep(15_000).then(() => false)]);
      if (!killed) {
        proc.kill('SIGKILL');
        await gone;
      }
    },
  };
}

export function telegrafProduct(bins: PeerBinaries): Product {
  return {
    name: 'Telegraf',
    version: bins.telegraf.version,
    guarantee: 'at-least-once: with a persistent session the MQTT consumer acknowledges a message only after the output wrote it (tracking metrics); what is unacknowledged at a crash is sent again by the broker',
    async start(run) {
      const out = run.sink.kind === 'file' ? 'telegraf.file.toml' : 'telegraf.kafka.toml';
      const dir = join(ROOT, 'bench/peers');
      return runBinary(bins.telegraf.path, ['--config', join(dir, 'telegraf.agent.toml'), '--config', join(dir, out)], run, 'telegraf');
    },
  };
}

export function benthosProduct(bins: PeerBinaries): Product {
  return {
    name: 'Benthos',
    version: bins.benthos.version,
    guarantee: 'at-most-once across a crash: the MQTT input acknowledges a message when it takes it, before the output wrote it, so what the process holds when it dies is lost (a clean shutdown drains it)',
    async start(run) {
      const cfg = run.sink.kind === 'file' ? 'benthos.file.yaml' : 'benthos.kafka.yaml';
      return runBinary(bins.benthos.path, ['-c', join(ROOT, 'bench/peers', cfg)], run, 'benthos');
    },
  };
}
