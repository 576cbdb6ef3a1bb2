// The kafka sink's typed config and the kafkajs client options built from it: brokers, TLS, SASL,
// timeouts, retries (none: the core owns them) and logging routed to the connector's log.
import type { KafkaConfig, LogEntry, SASLOptions } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { SinkContext } from '../sink.js';

const { logLevel, CompressionTypes } = kafkajs;

export interface KafkaSinkConfig {
  bootstrap_servers: string;
  topic: string;
  key: string;
  value_format: 'raw' | 'envelope';
  acks: '0' | '1' | 'all';
  compression_type: 'none' | 'gzip';
  idempotent: boolean;
  client_id: string;
  message_timeout_ms: number;
  connection_timeout_ms: number;
  /** unset: the topic's max.message.bytes, read at start */
  max_request_bytes?: number;
  cleanup_timeout_secs: number;
  sasl_mechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  sasl_username?: string;
  sasl_password?: string;
  enable_tls: boolean;
  tls_ca?: string;
  tls_cert?: string;
  tls_key?: string;
  tls_insecure_skip_verify: boolean;
}

/** The client waits this much longer than the broker's ack timeout, so the broker's own answer wins. */
const REQUEST_TIMEOUT_MARGIN_MS = 1000;

function oneOf<T extends string>(raw: unknown, allowed: readonly T[], fallback: T, field: string): T {
  const v = raw ?? fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new Error(`kafka sink: ${field} must be one of ${allowed.join(', ')}, got ${String(v)}`);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** Reads the (already validated, defaulted and resolved) config into its typed form. */
export function kafkaConfigFrom(raw: Record<string, unknown>): KafkaSinkConfig {
  if (typeof raw.bootstrap_servers !== 'string' || raw.bootstrap_servers.trim() === '') throw new Error('kafka sink: bootstrap_servers is required');
  if (typeof raw.topic !== 'string' || raw.topic === '') throw new Error('kafka sink: topic is required');
  const compression = oneOf(raw.compression_type, ['none', 'gzip', 'snappy', 'lz4', 'zstd'], 'none', 'compression_type');
  if (compression !== 'none' && compression !== 'gzip') throw new Error(`kafka sink: no ${compression} codec is installed; use none or gzip`);
  return {
    bootstrap_servers: raw.bootstrap_servers,
    topic: raw.topic,
    key: typeof raw.key === 'string' ? raw.key : '',
    value_format: oneOf(raw.value_format, ['raw', 'envelope'], 'raw', 'value_format'),
    acks: oneOf(raw.acks, ['0', '1', 'all'], 'all', 'acks'),
    compression_type: compression,
    idempotent: raw.idempotent === true,
    client_id: str(raw.client_id) ?? 'sluice',
    message_timeout_ms: num(raw.message_timeout_ms, 30_000),
    connection_timeout_ms: num(raw.connection_timeout_ms, 10_000),
    max_request_bytes: typeof raw.max_request_bytes === 'number' ? raw.max_request_bytes : undefined,
    cleanup_timeout_secs: num(raw.cleanup_timeout_secs, 10),
    sasl_mechanism: oneOf(raw.sasl_mechanism, ['none', 'plain', 'scram-sha-256', 'scram-sha-512'], 'none', 'sasl_mechanism'),
    sasl_username: str(raw.sasl_username),
    sasl_password: str(raw.sasl_password),
    enable_tls: raw.enable_tls === true,
    tls_ca: str(raw.tls_ca),
    tls_cert: str(raw.tls_cert),
    tls_key: str(raw.tls_key),
    tls_insecure_skip_verify: raw.tls_insecure_skip_verify === true,
  };
}

/** `host:port` entries, trimmed. */
export function brokerList(servers: string): string[] {
  return servers.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * kafkajs splits a broker address at its first `:`, so an IPv6 literal (`[::1]:9092`) cannot be
 * used as a bootstrap server; the error says so instead of a confusing connection failure.
 */
export function checkBrokersUsable(servers: string): void {
  const v6 = brokerList(servers).find((b) => b.startsWith('['));
  if (v6) throw new Error(`kafka sink: bootstrap server ${v6}: the Kafka client (kafkajs) cannot use IPv6 address literals; use a host name that resolves to it`);
}

/** kafkajs acks: 0, 1 or -1 (all in-sync replicas) */
export function acksNumber(acks: KafkaSinkConfig['acks']): number {
  return acks === 'all' ? -1 : Number(acks);
}

export function compressionCodec(c: KafkaSinkConfig['compression_type']): number {
  return c === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
}

function sasl(cfg: KafkaSinkConfig): SASLOptions | undefined {
  if (cfg.sasl_mechanism === 'none') return undefined;
  return { mechanism: cfg.sasl_mechanism, username: cfg.sasl_username ?? '', password: cfg.sasl_password ?? '' } as SASLOptions;
}

function ssl(cfg: KafkaSinkConfig): KafkaConfig['ssl'] {
  if (!cfg.enable_tls) return undefined;
  return {
    rejectUnauthorized: !cfg.tls_insecure_skip_verify,
    ...(cfg.tls_ca ? { ca: [cfg.tls_ca] } : {}),
    ...(cfg.tls_cert ? { cert: cfg.tls_cert } : {}),
    ...(cfg.tls_key ? { key: cfg.tls_key } : {}),
  };
}

/**
 * kafkajs writes WARN and ERROR through this. Only the message, the namespace and the broker are
 * passed on (never the extra fields, which may hold request details). ERROR goes to debug: every
 * failed write reaches the core with the same cause, which logs it as a retry, discard or dead
 * letter, so repeating kafkajs's own line at warn would double every outage line.
 */
function logCreator(ctx: SinkContext): KafkaConfig['logCreator'] {
  return () => (entry: LogEntry) => {
    const fields: Record<string, unknown> = { kafkajs: entry.namespace };
    const broker: unknown = entry.log.broker;
    if (typeof broker === 'string') fields.broker = broker;
    ctx.log(entry.level === logLevel.ERROR ? 'debug' : 'warn', `kafkajs: ${entry.log.message}`, fields);
  };
}

export function kafkaClientConfig(cfg: KafkaSinkConfig, ctx: SinkContext): KafkaConfig {
  return {
    clientId: cfg.client_id,
    brokers: brokerList(cfg.bootstrap_servers),
    ssl: ssl(cfg),
    sasl: sasl(cfg),
    connectionTimeout: cfg.connection_timeout_ms,
    authenticationTimeout: cfg.connection_timeout_ms,
    requestTimeout: cfg.message_timeout_ms + REQUEST_TIMEOUT_MARGIN_MS,
    enforceRequestTimeout: true,
    // The core owns retries: it applies the connector's failure strategy (retry count, backoff,
    // discard or dead letter), keeps status live and lets pause/delete interrupt a wait. Retries
    // inside kafkajs would hide an outage in one sendBatch call for up to half a minute and count
    // nowhere, so a failed request is reported at once.
    retry: { retries: 0 },
    logLevel: logLevel.WARN,
    logCreator: logCreator(ctx),
  };
}
