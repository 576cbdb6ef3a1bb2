// Real servers for integration tests: started from the Debian packages / Maven
// jars that scripts/services/install.sh installs (on demand), on free loopback
// ports, with data in temp dirs. See test/harness/services/<name>.ts.
import { startClickHouse } from './services/clickhouse.js';
import { join } from 'node:path';
import { CACHE_DIR, ensureInstalled, exists, firstExisting, type RunningService, type ServiceName, type StartOptions } from './services/common.js';
import { startInfluxDB } from './services/influxdb.js';
import { startKafka } from './services/kafka.js';
import { startMosquitto } from './services/mosquitto.js';
import { startVictoriaMetrics } from './services/victoriametrics.js';

export type { RunningService, ServiceName, StartOptions } from './services/common.js';
export { freePort } from './services/common.js';
export { KAFKA_VERSION, kafkaMetadataBrokers, type KafkaBroker } from './services/kafka.js';

const starters: Record<ServiceName, (opts?: StartOptions) => Promise<RunningService>> = {
  mosquitto: startMosquitto,
  kafka: startKafka,
  clickhouse: startClickHouse,
  victoriametrics: startVictoriaMetrics,
  influxdb: startInfluxDB,
};

export async function startService(name: ServiceName, opts?: StartOptions): Promise<RunningService> {
  return starters[name](opts);
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
