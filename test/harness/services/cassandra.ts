// Apache Cassandra 5.0 (cassandra-all and its dependencies from Maven Central, see
// scripts/services/install.sh), one node on loopback ports: CassandraDaemon in the foreground
// with a minimal cassandra.yaml, every directory in a temp dir, PasswordAuthenticator on (the
// superuser cassandra/cassandra, created at once), and a non-superuser login role for tests
// (guardrails, which a poison record needs, apply to ordinary users only). Gossip settle and
// ring delay are skipped, as a single node needs neither.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import {
  CACHE_DIR, defineService, ensureInstalled, exists, freePort, makeTempDir, managed, spawnServer, waitUntil, which,
  type RunningService, type StartOptions,
} from './common.js';

export const CASSANDRA_VERSION = process.env.SLUICE_CASSANDRA_VERSION ?? '5.0.9';

const ADMIN = { username: 'cassandra', password: 'cassandra' };
const USER = { username: 'sluice', password: 'sluice-cassandra-pw' };
export const CASSANDRA_DATACENTER = 'datacenter1';

async function locate(): Promise<string | undefined> {
  const home = join(CACHE_DIR, `cassandra-${CASSANDRA_VERSION}`);
  return (await exists(join(home, 'libs.complete'))) ? join(home, 'libs') : undefined;
}

function javaBin(): string {
  const home = process.env.JAVA_HOME;
  const bin = home ? join(home, 'bin/java') : which('java');
  if (!bin) throw new Error('cassandra: no java on PATH (and JAVA_HOME unset); JDK 17 is required');
  return bin;
}

// what Cassandra's conf/jvm17-server.options opens and exports to the unnamed module
const JDK17 = [
  ...['java.base/jdk.internal.misc', 'java.base/jdk.internal.ref', 'java.base/sun.nio.ch', 'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry', 'java.rmi/sun.rmi.server', 'java.sql/java.sql', 'java.base/java.lang.ref', 'jdk.unsupported/sun.misc'].map((p) => `--add-exports=${p}=ALL-UNNAMED`),
  ...['java.base/java.lang.module', 'java.base/jdk.internal.loader', 'java.base/jdk.internal.ref', 'java.base/jdk.internal.reflect', 'java.base/jdk.internal.math',
    'java.base/jdk.internal.module', 'java.base/jdk.internal.util.jar', 'jdk.management/com.sun.management.internal', 'java.base/sun.nio.ch', 'java.base/java.io',
    'java.base/java.nio', 'java.base/java.util.concurrent', 'java.base/java.util', 'java.base/java.util.concurrent.atomic', 'java.base/java.lang',
    'java.base/java.math', 'java.base/java.lang.reflect', 'java.base/java.net'].map((p) => `--add-opens=${p}=ALL-UNNAMED`),
];

// bounded heap; benchmarks can override with SLUICE_CASSANDRA_JVM_OPTS (space separated)
const TUNING = process.env.SLUICE_CASSANDRA_JVM_OPTS?.split(/\s+/).filter(Boolean) ?? ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError'];

const LOGBACK = `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.apache.cassandra.service.CassandraDaemon" level="INFO"/>
  <logger name="org.apache.cassandra.transport" level="INFO"/>
  <root level="WARN"><appender-ref ref="STDOUT"/></root>
</configuration>
`;

function yaml(dir: string, port: number, storagePort: number, extra: readonly string[]): string {
  const data = join(dir, 'data');
  return [
    'cluster_name: sluice-test',
    'num_tokens: 1',
    'partitioner: org.apache.cassandra.dht.Murmur3Partitioner',
    'authenticator: PasswordAuthenticator',
    'authorizer: AllowAllAuthorizer',
    'auto_bootstrap: false',
    `data_file_directories: [${join(data, 'data')}]`,
    `commitlog_directory: ${join(data, 'commitlog')}`,
    `saved_caches_directory: ${join(data, 'saved_caches')}`,
    `hints_directory: ${join(data, 'hints')}`,
    `cdc_raw_directory: ${join(data, 'cdc_raw')}`,
    // a write is acknowledged once the commit log is synced: with Cassandra's default (periodic,
    // every 10 s) a kill loses what was acknowledged since the last sync, as the replay stops at
    // the last sync marker, and a single test node has no replica to repair it from
    'commitlog_sync: batch',
    'seed_provider:',
    '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider',
    '    parameters:',
    `      - seeds: "127.0.0.1:${storagePort}"`,
    'listen_address: 127.0.0.1',
    'rpc_address: 127.0.0.1',
    `storage_port: ${storagePort}`,
    `native_transport_port: ${port}`,
    'start_native_transport: true',
    'endpoint_snitch: SimpleSnitch',
    // the credentials cache would keep a refused password refused for 2 s after the fix
    'credentials_validity: 0ms',
    ...extra,
    '',
  ].join('\n');
}

async function cql(port: number, as: { username: string; password: string }, statements: readonly string[]): Promise<void> {
  const client = new cassandra.Client({
    contactPoints: [`127.0.0.1:${port}`],
    localDataCenter: CASSANDRA_DATACENTER,
    credentials: as,
    socketOptions: { connectTimeout: 5000, readTimeout: 20_000 },
    policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000) },
  });
  try {
    await client.connect();
    for (const s of statements) await client.execute(s);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

export async function startCassandra(opts: StartOptions = {}): Promise<RunningService> {
  const libs = await ensureInstalled('cassandra', locate);
  const java = javaBin();
  const port = opts.port ?? (await freePort());
  const storagePort = await freePort();
  const dir = await makeTempDir('cassandra');
  await writeFile(join(dir, 'cassandra.yaml'), yaml(dir, port, storagePort, opts.extraConfig ?? []));
  await writeFile(join(dir, 'logback.xml'), LOGBACK);
  const args = [
    ...TUNING, '-Djava.awt.headless=true', '-Djdk.attach.allowAttachSelf=true', ...JDK17,
    `-javaagent:${join(libs, 'jamm-0.4.0.jar')}`,
    '-Dcassandra-foreground=yes', `-Dcassandra.config=file://${join(dir, 'cassandra.yaml')}`,
    `-Dlogback.configurationFile=${join(dir, 'logback.xml')}`, `-Djava.io.tmpdir=${dir}`,
    '-Dcassandra.skip_wait_for_gossip_to_settle=0', '-Dcassandra.ring_delay_ms=100', '-Dcassandra.superuser_setup_delay_ms=0',
    // never -Dcassandra.unsafesystem=true: it skips the flush after each schema change, so after a
    // kill the schema is loaded without the tables created since the start, and the commit-log
    // replay drops their rows (system_auth's roles, the test keyspaces) as of an unknown table
    '-cp', `${libs}/*`, 'org.apache.cassandra.service.CassandraDaemon',
  ];
  const logFile = join(dir, 'cassandra.log');
  let first = true;
  const launch = async () => {
    const from = (await readFile(logFile).catch(() => Buffer.alloc(0))).length; // restart appends
    const proc = spawnServer(java, args, logFile);
    await waitUntil(`cassandra on 127.0.0.1:${port}`, proc, async () => {
      const log = (await readFile(logFile).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
      if (!log.includes('Starting listening for CQL clients') || !log.includes('Startup complete')) return false;
      // the superuser is created just after the port opens: ready once it can log in. A restart
      // keeps the roles; it is not probed with a client, whose failed connect can leave the
      // driver's control connection reconnecting (and the test process alive) after shutdown
      if (first) await cql(port, ADMIN, [`CREATE ROLE IF NOT EXISTS ${USER.username} WITH PASSWORD = '${USER.password}' AND LOGIN = true`]);
      return true;
    }, { timeoutMs: 180_000, intervalMs: 500 });
    first = false;
    return proc;
  };
  return managed('cassandra', dir, {
    SLUICE_TEST_CASSANDRA_HOST: '127.0.0.1',
    SLUICE_TEST_CASSANDRA_PORT: String(port),
    SLUICE_TEST_CASSANDRA_DATACENTER: CASSANDRA_DATACENTER,
    /** an ordinary login role (guardrails apply to it) */
    SLUICE_TEST_CASSANDRA_USER: USER.username,
    SLUICE_TEST_CASSANDRA_PASSWORD: USER.password,
    /** the superuser */
    SLUICE_TEST_CASSANDRA_ADMIN_USER: ADMIN.username,
    SLUICE_TEST_CASSANDRA_ADMIN_PASSWORD: ADMIN.password,
  }, launch, 20_000);
}

export const service = defineService('cassandra', startCassandra);
