// Real servers for integration tests: started from the Debian packages / Maven
// jars that scripts/services/install.sh installs (on demand), on free loopback
// ports, with data in temp dirs. See test/harness/services/<name>.ts.
import { join } from 'node:path';
import { CACHE_DIR, ensureInstalled, exists, firstExisting, type RunningService, type StartOptions } from './services/common.js';

export type { RunningService, ServiceDefinition, StartOptions } from './services/common.js';
export { freePort } from './services/common.js';
export { PULSAR_MAX_MESSAGE_BYTES, pulsarBrokerPid, pulsarToken } from './services/pulsar.js';
export { KAFKA_VERSION, kafkaBrokerCommandLine, kafkaMetadataBrokers, type KafkaBroker } from './services/kafka.js';

/** Every server of the harness: a new one is its file in services/ and one line here. */
const SERVICES = [
  (await import('./services/mosquitto.js')).service,
  (await import('./services/kafka.js')).service,
  (await import('./services/clickhouse.js')).service,
  (await import('./services/victoriametrics.js')).service,
  (await import('./services/influxdb.js')).service,
  (await import('./services/postgres.js')).service,
  (await import('./services/mariadb.js')).service,
  (await import('./services/nats.js')).service,
  (await import('./services/redis.js')).service,
  (await import('./services/rabbitmq.js')).service,
  (await import('./services/cassandra.js')).service,
  (await import('./services/ferretdb.js')).service,
  (await import('./services/pulsar.js')).service,
  (await import('./services/opensearch.js')).service,
  (await import('./services/s3proxy.js')).service,
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

export function serviceNames(): readonly ServiceName[] {
  return SERVICES.map((s) => s.name);
}

export async function startService(name: ServiceName, opts?: StartOptions): Promise<RunningService> {
  const service = SERVICES.find((s) => s.name === name);
  if (!service) throw new Error(`no harness service ${name}`);
  return service.start(opts);
}

export const SCHEMATHESIS_VERSION = process.env.SLUICE_SCHEMATHESIS_VERSION ?? '4.32.5';

/** The schemathesis command (pinned, pip-installed into a venv under the cache dir on first use). */
export function ensureSchemathesis(): Promise<string> {
  const venv = join(CACHE_DIR, `schemathesis-${SCHEMATHESIS_VERSION}`);
  return ensureInstalled('schemathesis', async () => ((await exists(join(venv, 'installed'))) ? join(venv, 'bin', 'schemathesis') : undefined));
}

/** The path of the openssl command, installed first when missing (the TLS tests make certificates with it). */
export function ensureOpenssl(): Promise<string> {
  return ensureInstalled('openssl', () => firstExisting(['/usr/bin/openssl', '/usr/local/bin/openssl', '/bin/openssl']));
}

/** The path of Debian's Chromium, installed first when missing (the console's browser test drives it headless). */
export function ensureChromium(): Promise<string> {
  return ensureInstalled('chromium', () => firstExisting(['/usr/bin/chromium', '/usr/lib/chromium/chromium']));
}
