// The kafkajs client options built from the kafka sink's config: brokers, TLS, SASL,
// timeouts, retries (none: the core owns them) and logging routed to the connector's log.
import type { KafkaConfig as KafkajsConfig, LogEntry, SASLOptions } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { KafkaConfig } from '../../metadata/configs/kafka.js';
import type { SinkContext } from '../sink.js';

const { logLevel, CompressionTypes } = kafkajs;

/** The client waits this much longer than the broker's ack timeout, so the broker's own answer wins. */
const REQUEST_TIMEOUT_MARGIN_MS = 1000;

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

/** kafkajs acks: 0, 1 or -1 (all in-sync replicas; RobustMQ and librdkafka also write it `-1`) */
export function acksNumber(acks: KafkaConfig['acks']): number {
  return acks === 'all' ? -1 : Number(acks);
}

const CODECS: Record<KafkaConfig['compression_type'], number> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** snappy, lz4 and zstd need registerCodecs() (codecs.ts) first */
export function compressionCodec(c: KafkaConfig['compression_type']): number {
  return CODECS[c];
}

function sasl(cfg: KafkaConfig): SASLOptions | undefined {
  if (cfg.sasl_mechanism === 'none') return undefined;
  return { mechanism: cfg.sasl_mechanism, username: cfg.sasl_username ?? '', password: cfg.sasl_password ?? '' } as SASLOptions;
}

function ssl(cfg: KafkaConfig): KafkajsConfig['ssl'] {
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
function logCreator(ctx: SinkContext): KafkajsConfig['logCreator'] {
  return () => (entry: LogEntry) => {
    const fields: Record<string, unknown> = { kafkajs: entry.namespace };
    const broker: unknown = entry.log.broker;
    if (typeof broker === 'string') fields.broker = broker;
    ctx.log(entry.level === logLevel.ERROR ? 'debug' : 'warn', `kafkajs: ${entry.log.message}`, fields);
  };
}

export function kafkaClientConfig(cfg: KafkaConfig, ctx: SinkContext): KafkajsConfig {
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
