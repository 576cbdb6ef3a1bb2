// Apache Pulsar 3.0 (pulsar-broker and its dependencies from Maven Central, see
// scripts/services/install.sh) as PulsarStandaloneStarter: broker, one bookie and a RocksDB
// metadata store in one JVM, bound to loopback, data in a temp dir. The WebSocket API is on (the
// pulsar sink uses it), token authentication is required (HS256 JWTs signed here with
// node:crypto), basic authentication is offered too, and maxMessageSize is 128 KiB so that a test
// can send a message the broker refuses.
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CACHE_DIR, defineService, ensureInstalled, exists, firstExisting, freePort, makeTempDir, managed, spawnServer, waitUntil, which,
  type RunningService, type StartOptions,
} from './common.js';

export const PULSAR_VERSION = process.env.SLUICE_PULSAR_VERSION ?? '3.0.7';
/** the broker's maxMessageSize in the harness: a larger payload is refused for that message alone */
export const PULSAR_MAX_MESSAGE_BYTES = 128 * 1024;

const ADMIN_ROLE = 'admin';
const ROLE = 'sluice';
const BASIC = { username: 'sluice-basic', password: 'sluice-pulsar-pw' };

async function locate(): Promise<string | undefined> {
  const home = join(CACHE_DIR, `pulsar-${PULSAR_VERSION}`);
  return (await exists(join(home, 'libs.complete'))) ? join(home, 'libs') : undefined;
}

function javaBin(): string {
  const home = process.env.JAVA_HOME;
  const bin = home ? join(home, 'bin/java') : which('java');
  if (!bin) throw new Error('pulsar: no java on PATH (and JAVA_HOME unset); JDK 17 is required');
  return bin;
}

/** An HS256 JWT with subject `role`, as Pulsar's AuthenticationProviderToken checks it against `secret`. */
export function pulsarToken(secret: Buffer, role: string): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: role })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

// bounded heap and direct memory; C1 only (starts faster). SLUICE_PULSAR_JVM_OPTS (space separated) overrides.
const TUNING = process.env.SLUICE_PULSAR_JVM_OPTS?.split(/\s+/).filter(Boolean)
  ?? ['-Xms256m', '-Xmx1g', '-XX:MaxDirectMemorySize=512m', '-XX:+UseG1GC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData', '-XX:+ExitOnOutOfMemoryError'];

const LOG4J2 = `<Configuration status="WARN">
  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%d{ISO8601} %-5p [%t] %c{1} - %m%n"/></Console></Appenders>
  <Loggers>
    <Logger name="org.apache.pulsar.PulsarStandalone" level="INFO"/>
    <Logger name="org.apache.pulsar.broker.PulsarService" level="INFO"/>
    <Root level="WARN"><AppenderRef ref="out"/></Root>
  </Loggers>
</Configuration>
`;

interface Ports { broker: number; web: number; bookie: number }

function standaloneConf(ports: Ports, secret: Buffer, adminToken: string, basicConf: string, extra: readonly string[]): string {
  return [
    'clusterName=standalone',
    'bindAddress=127.0.0.1',
    'advertisedAddress=127.0.0.1',
    `brokerServicePort=${ports.broker}`,
    `webServicePort=${ports.web}`,
    'webSocketServiceEnabled=true',
    'functionsWorkerEnabled=false',
    'managedLedgerDefaultEnsembleSize=1',
    'managedLedgerDefaultWriteQuorum=1',
    'managedLedgerDefaultAckQuorum=1',
    'allowAutoTopicCreation=true',
    'allowAutoTopicCreationType=non-partitioned',
    'loadBalancerEnabled=false',
    'dbStorage_writeCacheMaxSizeMb=32',
    'dbStorage_readAheadCacheMaxSizeMb=32',
    'dbStorage_rocksDB_blockCacheSize=16777216',
    `maxMessageSize=${PULSAR_MAX_MESSAGE_BYTES}`,
    'authenticationEnabled=true',
    'authenticationProviders=org.apache.pulsar.broker.authentication.AuthenticationProviderToken,org.apache.pulsar.broker.authentication.AuthenticationProviderBasic',
    `tokenSecretKey=data:;base64,${secret.toString('base64')}`,
    `basicAuthConf=${Buffer.from(basicConf).toString('base64')}`,
    'authorizationEnabled=false',
    `superUserRoles=${ADMIN_ROLE}`,
    'brokerClientAuthenticationPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken',
    `brokerClientAuthenticationParameters=token:${adminToken}`,
    ...extra,
    '',
  ].join('\n');
}

/** The pid of the running broker JVM whose temp dir is `dir` (SLUICE_TEST_PULSAR_DIR), read from /proc. */
export function pulsarBrokerPid(dir: string): number {
  const marker = `-Djava.io.tmpdir=${dir}`;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (args.includes(marker) && args.includes('org.apache.pulsar.PulsarStandaloneStarter')) return Number(pid);
  }
  throw new Error(`pulsar: no running broker with ${marker}`);
}

export async function startPulsar(opts: StartOptions = {}): Promise<RunningService> {
  const libs = await ensureInstalled('pulsar', locate);
  const java = javaBin();
  const ports: Ports = { broker: await freePort(), web: opts.port ?? (await freePort()), bookie: await freePort() };
  const dir = await makeTempDir('pulsar');
  const secret = randomBytes(32);
  const adminToken = pulsarToken(secret, ADMIN_ROLE);
  // Pulsar's basic provider takes `user:<apr1 MD5 hash>` lines
  const hash = execFileSync(await ensureInstalled('openssl', () => firstExisting(['/usr/bin/openssl', '/usr/local/bin/openssl'])), ['passwd', '-apr1', BASIC.password], { encoding: 'utf8' }).trim();
  const conf = join(dir, 'standalone.conf');
  await writeFile(conf, standaloneConf(ports, secret, adminToken, `${BASIC.username}:${hash}\n`, opts.extraConfig ?? []));
  await writeFile(join(dir, 'log4j2.xml'), LOG4J2);
  const args = [
    ...TUNING, '-Djava.awt.headless=true', `-Djava.io.tmpdir=${dir}`, `-Dlog4j.configurationFile=${join(dir, 'log4j2.xml')}`,
    '-Dpulsar.allocator.exit_on_oom=true', '-Dio.netty.recycler.maxCapacityPerThread=4096',
    '-cp', `${libs}/*`, 'org.apache.pulsar.PulsarStandaloneStarter',
    '--config', conf, '--no-functions-worker', '-nss',
    '--metadata-dir', join(dir, 'metadata'), '--bookkeeper-dir', join(dir, 'bk'), '--bookkeeper-port', String(ports.bookie),
  ];
  const logFile = join(dir, 'pulsar.log');
  const web = `http://127.0.0.1:${ports.web}`;
  const launch = async () => {
    const from = (await readFile(logFile).catch(() => Buffer.alloc(0))).length; // restart appends
    const proc = spawnServer(java, args, logFile);
    await waitUntil(`pulsar on 127.0.0.1:${ports.web}`, proc, async () => {
      const log = (await readFile(logFile).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
      if (!log.includes('messaging service is ready')) return false;
      // the standalone starter creates public/default just after the broker is up
      const res = await fetch(`${web}/admin/v2/namespaces/public`, { headers: { authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(2000) });
      return res.ok && ((await res.json()) as string[]).includes('public/default');
    }, { timeoutMs: 120_000, intervalMs: 250 });
    return proc;
  };
  return managed('pulsar', dir, {
    SLUICE_TEST_PULSAR_URL: `pulsar://127.0.0.1:${ports.broker}`,
    /** the web service: admin REST API and the WebSocket API (ws://…/ws/v2/…) */
    SLUICE_TEST_PULSAR_WEB_URL: web,
    SLUICE_TEST_PULSAR_WS_URL: `ws://127.0.0.1:${ports.web}`,
    /** a token for an ordinary role (authorization is off: it may produce and consume anywhere) */
    SLUICE_TEST_PULSAR_TOKEN: pulsarToken(secret, ROLE),
    SLUICE_TEST_PULSAR_ADMIN_TOKEN: adminToken,
    /** the HS256 key the broker checks tokens with (base64), for tests that sign their own */
    SLUICE_TEST_PULSAR_TOKEN_SECRET: secret.toString('base64'),
    SLUICE_TEST_PULSAR_BASIC_USER: BASIC.username,
    SLUICE_TEST_PULSAR_BASIC_PASSWORD: BASIC.password,
    SLUICE_TEST_PULSAR_MAX_MESSAGE_BYTES: String(PULSAR_MAX_MESSAGE_BYTES),
    /** the broker's temp dir: pulsarBrokerPid finds the running JVM by it */
    SLUICE_TEST_PULSAR_DIR: dir,
  }, launch, 20_000);
}

export const service = defineService('pulsar', startPulsar);
