// Apache Kafka (jars from Maven Central, see scripts/services/install.sh) as a
// single-node KRaft cluster: combined broker + controller on loopback ports, with a PLAINTEXT
// listener and a SASL_PLAINTEXT one (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CACHE_DIR, defineService, ensureInstalled, exists, freePort, makeTempDir, managed, spawnServer, waitUntil, which,
  type RunningService, type StartOptions,
} from './common.js';

export const KAFKA_VERSION = process.env.SLUICE_KAFKA_VERSION ?? '3.9.2';

async function locate(): Promise<string | undefined> {
  const home = join(CACHE_DIR, `kafka-${KAFKA_VERSION}`);
  return (await exists(join(home, 'libs.complete'))) ? join(home, 'libs') : undefined;
}

function javaBin(): string {
  const home = process.env.JAVA_HOME;
  const bin = home ? join(home, 'bin/java') : which('java');
  if (!bin) throw new Error('kafka: no java on PATH (and JAVA_HOME unset); JDK 17 is required');
  return bin;
}

/** 16 random bytes as unpadded base64url (22 chars), as Kafka's Uuid prints them. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const LOG4J = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
log4j.logger.kafka.server.ControllerServer=INFO
`;

// Small heap; C1 only, which starts ~1.5 s faster. Benchmarks can override
// these with SLUICE_KAFKA_JVM_OPTS (space separated), read when a broker starts (not when this
// module loads, which is before a benchmark sets it).
export function kafkaJvmTuning(): string[] {
  return process.env.SLUICE_KAFKA_JVM_OPTS?.split(/\s+/).filter(Boolean)
    ?? ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData'];
}

const jvmArgs = (dir: string, libs: string): string[] => [
  ...kafkaJvmTuning(),
  '-Djava.awt.headless=true', `-Djava.io.tmpdir=${dir}`,
  `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
  '-cp', `${libs}/*`,
];

async function run(cmd: string, args: string[], what: string): Promise<void> {
  let out = '';
  await new Promise<void>((ok, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`${what} failed (code ${code}):\n${out.slice(-4000)}`))));
  });
}

export interface KafkaBroker { nodeId: number; host: string; port: number }

/** Sends a Metadata v4 request (no topics) and returns the brokers the cluster reports. */
export async function kafkaMetadataBrokers(host: string, port: number, timeoutMs = 3000): Promise<KafkaBroker[]> {
  const clientId = Buffer.from('sluice-harness');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = body.writeInt16BE(3, 0); // api_key Metadata
  o = body.writeInt16BE(4, o); // api_version 4
  o = body.writeInt32BE(7, o); // correlation_id
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(0, o); // topics: empty array = none
  body.writeInt8(0, o); // allow_auto_topic_creation = false
  const frame = Buffer.concat([Buffer.alloc(4), body]);
  frame.writeInt32BE(body.length, 0);

  const resp = await new Promise<Buffer>((ok, fail) => {
    const sock = createConnection({ host, port });
    let acc = Buffer.alloc(0);
    sock.setTimeout(timeoutMs, () => { sock.destroy(); fail(new Error('kafka metadata: timeout')); });
    sock.once('error', fail);
    sock.once('connect', () => sock.write(frame));
    sock.on('data', (d: Buffer) => {
      acc = Buffer.concat([acc, d]);
      if (acc.length >= 4 && acc.length >= 4 + acc.readInt32BE(0)) { sock.destroy(); ok(acc.subarray(4)); }
    });
    sock.once('close', () => fail(new Error('kafka metadata: connection closed')));
  });
  let p = 0;
  if (resp.readInt32BE(p) !== 7) throw new Error('kafka metadata: bad correlation id');
  p += 4 + 4; // correlation_id, throttle_time_ms
  const n = resp.readInt32BE(p); p += 4;
  const brokers: KafkaBroker[] = [];
  for (let i = 0; i < n; i++) {
    const nodeId = resp.readInt32BE(p); p += 4;
    const hl = resp.readInt16BE(p); p += 2;
    const h = resp.toString('utf8', p, p + hl); p += hl;
    const bport = resp.readInt32BE(p); p += 4;
    const rl = resp.readInt16BE(p); p += 2 + Math.max(rl, 0); // rack (nullable)
    brokers.push({ nodeId, host: h, port: bport });
  }
  return brokers;
}

/** The one user of the SASL_PLAINTEXT listener, for PLAIN and both SCRAM mechanisms. */
const SASL_USER = 'sluice';
const SASL_PASSWORD = 'sluice-kafka-pw';

/**
 * The command line of the running broker whose log.dirs is `logDir` (SLUICE_TEST_KAFKA_LOG_DIR),
 * read from /proc: what the JVM was really started with.
 */
export function kafkaBrokerCommandLine(logDir: string): string[] {
  const marker = `-Djava.io.tmpdir=${dirname(logDir)}`;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (args.includes(marker) && args.includes('kafka.Kafka')) return args.filter(Boolean);
  }
  throw new Error(`kafka: no running broker with ${marker}`);
}

export async function startKafka(opts: StartOptions = {}): Promise<RunningService> {
  const libs = await ensureInstalled('kafka', locate);
  const java = javaBin();
  const port = opts.port ?? (await freePort());
  const saslPort = await freePort();
  const controllerPort = await freePort();
  const dir = await makeTempDir('kafka');
  const props = join(dir, 'server.properties');
  await writeFile(join(dir, 'log4j.properties'), LOG4J);
  await writeFile(props, [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    // a second listener that demands a login: PLAIN from the JAAS line, SCRAM from the users
    // written into the metadata at format time
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${SASL_USER}="${SASL_PASSWORD}";`,
    'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'auto.create.topics.enable=true',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    'log.retention.hours=1',
    '',
  ].join('\n'));
  const base = jvmArgs(dir, libs);
  const scram = ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${SASL_USER},password=${SASL_PASSWORD}]`]);
  await run(java, [...base, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', props, ...scram], 'kafka StorageTool format');

  const logFile = join(dir, 'kafka.log');
  const launch = async () => {
    const from = (await readFile(logFile).catch(() => Buffer.alloc(0))).length; // restart appends
    const proc = spawnServer(java, [...base, 'kafka.Kafka', props], logFile);
    await waitUntil(`kafka on 127.0.0.1:${port}`, proc, async () => {
      const log = (await readFile(logFile).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
      if (!log.includes('Kafka Server started')) return false;
      const brokers = await kafkaMetadataBrokers('127.0.0.1', port);
      return brokers.some((b) => b.port === port);
    }, { timeoutMs: 120_000, intervalMs: 250 });
    return proc;
  };
  return managed('kafka', dir, {
    SLUICE_TEST_KAFKA_BROKERS: `127.0.0.1:${port}`,
    SLUICE_TEST_KAFKA_SASL_BROKERS: `127.0.0.1:${saslPort}`,
    SLUICE_TEST_KAFKA_SASL_USER: SASL_USER,
    SLUICE_TEST_KAFKA_SASL_PASSWORD: SASL_PASSWORD,
    // the broker's log.dirs: tests read record batch headers from the segment files
    SLUICE_TEST_KAFKA_LOG_DIR: join(dir, 'data'),
  }, launch, 20_000);
}

export const service = defineService('kafka', startKafka);
