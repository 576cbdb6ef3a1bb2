// Service settings: from flags, then SLUICE_* environment variables, then defaults.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LogFormat } from './core/pretty-log.js';
import type { IntegrityMode } from './metadata/database-file.js';

export interface Settings {
  dbPath: string;
  /** the local journal database; defaults to journal.db beside dbPath */
  journalPath: string;
  host: string;
  port: number;
  apiToken?: string;
  bodyLimit: number;
  logLevel: string;
  /** auto: human-readable lines on a terminal, JSON otherwise */
  logFormat: LogFormat;
  /** source broker; undefined = start the embedded broker */
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  mqttProtocol: 4 | 5;
  mqttClientIdPrefix: string;
  mqttSessionExpirySecs: number;
  /** MQTT 5 Receive Maximum of the source sessions: how many QoS 1/2 messages the broker has in flight to each */
  mqttReceiveMaximum: number;
  mqttCaFile?: string;
  mqttCertFile?: string;
  mqttKeyFile?: string;
  mqttInsecure: boolean;
  embeddedBrokerHost: string;
  embeddedBrokerPort: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  maxConnections: number;
  /** what `${env:…}` / `${file:…}` may reference besides SLUICE_SECRET_* (read by reference-policy.ts; logged at start) */
  secretEnv?: string;
  secretDir?: string;
  /** AES-256-GCM key for secret fields at rest, and the one being rotated out (read by secrets-at-rest.ts; never logged) */
  secretKey?: string;
  secretKeyPrevious?: string;
  /** the only directory the file sink may write under (checked by file-root.ts) */
  fileRoot?: string;
  /** definition files applied at start and on SIGHUP (a file or a directory) */
  connectorsPath?: string;
  /** integrity check of both databases before they are used */
  integrityCheck: IntegrityMode;
  /** a shared definition store (postgres://…); undefined = the SQLite file at dbPath. A shared store is fleet mode. */
  storeUrl?: string;
  /** fleet mode: the shared-subscription group of each connector, `{tenant}` and `{name}` replaced */
  shareGroup: string;
  /** fleet mode: how this process is shown to the others (default: host name and the instance id's first 8 characters) */
  instanceName?: string;
  /** fleet mode: how often this process writes its heartbeat and status into the store */
  heartbeatMs: number;
  /** fleet mode: a process whose last heartbeat is older than this is shown as gone */
  instanceTimeoutMs: number;
}

/** Every environment variable `sluice serve` reads, with its meaning (the docs table comes from here). */
export const ENVIRONMENT = [
  ['SLUICE_DB', 'SQLite file holding the connector definitions', './data/sluice.db'],
  ['SLUICE_JOURNAL_DB', 'SQLite file holding journals, offsets, counters and dead letters', 'journal.db beside SLUICE_DB'],
  ['SLUICE_HOST', 'admin API listen address', '127.0.0.1'],
  ['SLUICE_PORT', 'admin API port', '8080'],
  ['SLUICE_API_TOKEN', 'bearer token required on every route but /health (unset: no auth)', ''],
  ['SLUICE_BODY_LIMIT', 'largest accepted request body, bytes', '1048576'],
  ['SLUICE_LOG_LEVEL', 'log level: trace, debug, info, warn, error', 'info'],
  ['SLUICE_LOG_FORMAT', 'log lines: auto (readable on a terminal, JSON otherwise), json or pretty', 'auto'],
  ['SLUICE_MQTT_URL', 'source MQTT broker (mqtt://, mqtts://, ws://); unset: start the embedded broker', ''],
  ['SLUICE_MQTT_USERNAME', 'user name at the source broker', ''],
  ['SLUICE_MQTT_PASSWORD', 'password at the source broker', ''],
  ['SLUICE_MQTT_PROTOCOL', 'MQTT protocol version at the source broker: 5 or 4 (3.1.1)', '5 (4 with the embedded broker)'],
  ['SLUICE_MQTT_CLIENT_ID_PREFIX', 'prefix of the client ids Sluice uses: each connector appends <tenant>:<name>, the dead-letter publisher dlq/<instance id>', 'sluice_'],
  ['SLUICE_MQTT_SESSION_EXPIRY_SECS', 'MQTT 5 session expiry of the persistent source sessions', '604800'],
  ['SLUICE_MQTT_RECEIVE_MAXIMUM', 'MQTT 5 Receive Maximum of each source session (1–65535): the most QoS 1/2 messages the broker sends before an acknowledgement, and so the most a kill -9 can make it resend', '1000'],
  ['SLUICE_MQTT_CA_FILE', 'PEM CA file to verify an mqtts:// source broker', ''],
  ['SLUICE_MQTT_CERT_FILE', 'PEM client certificate for an mqtts:// source broker that asks for one (with SLUICE_MQTT_KEY_FILE)', ''],
  ['SLUICE_MQTT_KEY_FILE', 'PEM private key of SLUICE_MQTT_CERT_FILE', ''],
  ['SLUICE_MQTT_INSECURE', '1: do not verify the source broker certificate (tests only)', '0'],
  ['SLUICE_EMBEDDED_BROKER_HOST', 'listen address of the embedded broker', '127.0.0.1'],
  ['SLUICE_EMBEDDED_BROKER_PORT', 'port of the embedded broker', '1883'],
  ['SLUICE_TLS_CERT_FILE', 'PEM certificate: the admin API serves HTTPS (with SLUICE_TLS_KEY_FILE)', ''],
  ['SLUICE_TLS_KEY_FILE', 'PEM private key of SLUICE_TLS_CERT_FILE', ''],
  ['SLUICE_REQUEST_TIMEOUT_MS', 'longest time the admin API waits for a whole request (slow clients are cut off); 0 = none', '30000'],
  ['SLUICE_CONNECTION_TIMEOUT_MS', 'an idle admin API connection is closed after this long', '75000'],
  ['SLUICE_MAX_CONNECTIONS', 'most admin API connections open at once', '1024'],
  ['SLUICE_SECRET_ENV', 'comma-separated environment variables `${env:…}` may name besides SLUICE_SECRET_*', ''],
  ['SLUICE_SECRET_DIR', 'the only directory `${file:…}` references may read from (unset: file references are refused)', ''],
  ['SLUICE_SECRET_KEY', 'encrypts secret config fields at rest (AES-256-GCM): 64 hex digits or base64 of 32 bytes', ''],
  ['SLUICE_SECRET_KEY_PREVIOUS', 'the key being rotated out: secrets under it are re-encrypted with SLUICE_SECRET_KEY at start', ''],
  ['SLUICE_FILE_ROOT', 'the only directory the file sink may write under (unset: anywhere the process may write)', ''],
  ['SLUICE_CONNECTORS', 'connector definition file or directory applied at start and on SIGHUP (same as --connectors)', ''],
  ['SLUICE_INTEGRITY_CHECK', 'integrity check of both databases at start: quick, full or off (a damaged file is refused)', 'quick'],
  ['SLUICE_STORE_URL', 'shared definition store, postgres://user:password@host:port/db: every process on the same store runs the same connectors (fleet mode; needs SLUICE_MQTT_URL); unset: the SQLite file SLUICE_DB', ''],
  ['SLUICE_SHARE_GROUP', 'fleet mode: shared-subscription group of each connector ({tenant} and {name} are replaced); the broker splits each connector\'s messages across the processes', 'sluice.{tenant}.{name}'],
  ['SLUICE_INSTANCE_NAME', 'fleet mode: the name this process is shown by in the fleet status', '<host name>/<first 8 characters of the instance id>'],
  ['SLUICE_HEARTBEAT_MS', 'fleet mode: how often this process writes its heartbeat and connector status into the store, ms', '5000'],
  ['SLUICE_INSTANCE_TIMEOUT_MS', 'fleet mode: a process without a heartbeat for this long is shown as gone, ms', '30000'],
] as const;

function int(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a whole number, got ${JSON.stringify(raw)}`);
  return n;
}

function port(name: string, raw: string | undefined, fallback: number): number {
  const n = int(name, raw, fallback);
  if (n > 65535) throw new Error(`${name}: expected a port number 0–65535, got ${JSON.stringify(raw)}`);
  return n;
}

function logFormat(raw: string | undefined): LogFormat {
  if (raw === undefined || raw === '') return 'auto';
  if (raw === 'auto' || raw === 'json' || raw === 'pretty') return raw;
  throw new Error(`SLUICE_LOG_FORMAT: expected auto, json or pretty, got ${JSON.stringify(raw)}`);
}

function receiveMaximum(raw: string | undefined): number {
  const n = int('SLUICE_MQTT_RECEIVE_MAXIMUM', raw, 1000);
  if (n < 1 || n > 65_535) throw new Error(`SLUICE_MQTT_RECEIVE_MAXIMUM: expected 1–65535, got ${JSON.stringify(raw)}`);
  return n;
}

function integrityMode(raw: string | undefined): IntegrityMode {
  if (raw === undefined || raw === '') return 'quick';
  if (raw === 'quick' || raw === 'full' || raw === 'off') return raw;
  throw new Error(`SLUICE_INTEGRITY_CHECK: expected quick, full or off, got ${JSON.stringify(raw)}`);
}

function storeUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new Error('SLUICE_STORE_URL: expected a postgres:// or postgresql:// URL (unset: the SQLite file SLUICE_DB)');
  return raw;
}

function shareGroup(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'sluice.{tenant}.{name}';
  if (/[/+#\s]/.test(raw)) throw new Error(`SLUICE_SHARE_GROUP: a share name may not contain '/', '+', '#' or spaces, got ${JSON.stringify(raw)}`);
  return raw;
}

function atLeast(name: string, raw: string | undefined, fallback: number, min: number): number {
  const n = int(name, raw, fallback);
  if (n < min) throw new Error(`${name}: expected at least ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<Settings> = {}): Settings {
  const o = defined(overrides);
  const dbPath = o.dbPath ?? env.SLUICE_DB ?? './data/sluice.db';
  const mqttUrl = o.mqttUrl ?? (env.SLUICE_MQTT_URL || undefined);
  const protocol = int('SLUICE_MQTT_PROTOCOL', env.SLUICE_MQTT_PROTOCOL, mqttUrl ? 5 : 4);
  if (protocol !== 4 && protocol !== 5) throw new Error('SLUICE_MQTT_PROTOCOL: expected 4 or 5');
  return {
    dbPath,
    journalPath: o.journalPath ?? env.SLUICE_JOURNAL_DB ?? (dbPath === ':memory:' ? ':memory:' : join(dirname(dbPath), 'journal.db')),
    host: o.host ?? env.SLUICE_HOST ?? '127.0.0.1',
    port: o.port ?? port('SLUICE_PORT', env.SLUICE_PORT, 8080),
    apiToken: o.apiToken ?? (env.SLUICE_API_TOKEN || undefined),
    bodyLimit: o.bodyLimit ?? int('SLUICE_BODY_LIMIT', env.SLUICE_BODY_LIMIT, 1_048_576),
    logLevel: o.logLevel ?? env.SLUICE_LOG_LEVEL ?? 'info',
    logFormat: o.logFormat ?? logFormat(env.SLUICE_LOG_FORMAT),
    mqttUrl,
    mqttUsername: o.mqttUsername ?? (env.SLUICE_MQTT_USERNAME || undefined),
    mqttPassword: o.mqttPassword ?? (env.SLUICE_MQTT_PASSWORD || undefined),
    mqttProtocol: o.mqttProtocol ?? protocol,
    mqttClientIdPrefix: o.mqttClientIdPrefix ?? env.SLUICE_MQTT_CLIENT_ID_PREFIX ?? 'sluice_',
    mqttSessionExpirySecs: o.mqttSessionExpirySecs ?? int('SLUICE_MQTT_SESSION_EXPIRY_SECS', env.SLUICE_MQTT_SESSION_EXPIRY_SECS, 604_800),
    mqttReceiveMaximum: o.mqttReceiveMaximum ?? receiveMaximum(env.SLUICE_MQTT_RECEIVE_MAXIMUM),
    mqttCaFile: o.mqttCaFile ?? (env.SLUICE_MQTT_CA_FILE || undefined),
    mqttCertFile: o.mqttCertFile ?? (env.SLUICE_MQTT_CERT_FILE || undefined),
    mqttKeyFile: o.mqttKeyFile ?? (env.SLUICE_MQTT_KEY_FILE || undefined),
    mqttInsecure: o.mqttInsecure ?? env.SLUICE_MQTT_INSECURE === '1',
    embeddedBrokerHost: o.embeddedBrokerHost ?? env.SLUICE_EMBEDDED_BROKER_HOST ?? '127.0.0.1',
    embeddedBrokerPort: o.embeddedBrokerPort ?? port('SLUICE_EMBEDDED_BROKER_PORT', env.SLUICE_EMBEDDED_BROKER_PORT, 1883),
    tlsCertFile: o.tlsCertFile ?? (env.SLUICE_TLS_CERT_FILE || undefined),
    tlsKeyFile: o.tlsKeyFile ?? (env.SLUICE_TLS_KEY_FILE || undefined),
    requestTimeoutMs: o.requestTimeoutMs ?? int('SLUICE_REQUEST_TIMEOUT_MS', env.SLUICE_REQUEST_TIMEOUT_MS, 30_000),
    connectionTimeoutMs: o.connectionTimeoutMs ?? int('SLUICE_CONNECTION_TIMEOUT_MS', env.SLUICE_CONNECTION_TIMEOUT_MS, 75_000),
    maxConnections: o.maxConnections ?? int('SLUICE_MAX_CONNECTIONS', env.SLUICE_MAX_CONNECTIONS, 1024),
    secretEnv: env.SLUICE_SECRET_ENV || undefined,
    secretDir: env.SLUICE_SECRET_DIR || undefined,
    integrityCheck: o.integrityCheck ?? integrityMode(env.SLUICE_INTEGRITY_CHECK),
    connectorsPath: o.connectorsPath ?? (env.SLUICE_CONNECTORS || undefined),
    secretKey: env.SLUICE_SECRET_KEY || undefined,
    secretKeyPrevious: env.SLUICE_SECRET_KEY_PREVIOUS || undefined,
    fileRoot: env.SLUICE_FILE_ROOT || undefined,
    storeUrl: o.storeUrl ?? storeUrl(env.SLUICE_STORE_URL),
    shareGroup: o.shareGroup ?? shareGroup(env.SLUICE_SHARE_GROUP),
    instanceName: o.instanceName ?? (env.SLUICE_INSTANCE_NAME || undefined),
    heartbeatMs: o.heartbeatMs ?? atLeast('SLUICE_HEARTBEAT_MS', env.SLUICE_HEARTBEAT_MS, 5000, 100),
    instanceTimeoutMs: o.instanceTimeoutMs ?? atLeast('SLUICE_INSTANCE_TIMEOUT_MS', env.SLUICE_INSTANCE_TIMEOUT_MS, 30_000, 1000),
  };
}

export interface SourceTls {
  ca?: string;
  cert?: string;
  key?: string;
}

/** Reads the admin API's certificate and key; an error names the variable and the file. */
export function readAdminTls(settings: Settings): { cert: string; key: string } | undefined {
  if (Boolean(settings.tlsCertFile) !== Boolean(settings.tlsKeyFile)) throw new Error('SLUICE_TLS_CERT_FILE and SLUICE_TLS_KEY_FILE: set both (HTTPS needs the certificate and its key) or neither');
  if (!settings.tlsCertFile || !settings.tlsKeyFile) return undefined;
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`${name}: cannot read ${path}: ${(e as Error).message}`);
    }
  };
  return { cert: read('SLUICE_TLS_CERT_FILE', settings.tlsCertFile), key: read('SLUICE_TLS_KEY_FILE', settings.tlsKeyFile) };
}

/** Reads the source broker's TLS files; an error names the variable and the file. */
export function readSourceTls(settings: Settings): SourceTls {
  if (Boolean(settings.mqttCertFile) !== Boolean(settings.mqttKeyFile)) {
    throw new Error('SLUICE_MQTT_CERT_FILE and SLUICE_MQTT_KEY_FILE: set both (a client certificate needs its key) or neither');
  }
  const read = (name: string, path: string | undefined): string | undefined => {
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`${name}: cannot read ${path}: ${(e as Error).message}`);
    }
  };
  return {
    ca: read('SLUICE_MQTT_CA_FILE', settings.mqttCaFile),
    cert: read('SLUICE_MQTT_CERT_FILE', settings.mqttCertFile),
    key: read('SLUICE_MQTT_KEY_FILE', settings.mqttKeyFile),
  };
}
