import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { HOST_PORT_LIST_PATTERN, NoEffect, Secret, Template, templateFieldErrors, TimeoutMs, TlsFields } from '../schema-kit.js';

export const kafkaSchema = Type.Object(
  {
    bootstrap_servers: Type.String({ minLength: 1, maxLength: 4096, pattern: HOST_PORT_LIST_PATTERN, 'x-rule': 'expected host:port[,host:port]', description: 'Kafka brokers to bootstrap from; hostnames and IP addresses allowed.', examples: ['kafka-1:9092,kafka-2:9092'] }),
    topic: Type.String({ minLength: 1, maxLength: 249, pattern: '^[A-Za-z0-9._-]+$', 'x-rule': 'expected a Kafka topic name: 1–249 of A-Z a-z 0-9 . _ -', description: 'Kafka topic to produce to.', examples: ['mqtt_messages'] }),
    key: Template({ maxLength: 256, default: '', description: 'Record key template (see Templates), e.g. `${topic}`. Empty: no key.', examples: ['${topic}'] }),
    value_format: Type.Enum(['raw', 'envelope'], { default: 'raw', description: 'raw: the payload bytes untouched; envelope: a JSON object with topic, payload, qos, retain, timestamp.' }),
    acks: Type.Enum(['0', '1', 'all', '-1'], { default: 'all', description: 'Acknowledgements the leader waits for; `-1` is `all`. `all` is the only setting that survives a broker loss (RobustMQ defaults to `1`).' }),
    compression_type: Type.Enum(['none', 'gzip', 'snappy', 'lz4', 'zstd'], { default: 'none', description: 'Compression of record batches (snappy, LZ4 frames and zstd level 3 with pure JavaScript / WebAssembly codecs).' }),
    idempotent: Type.Boolean({ default: false, description: 'Use the idempotent producer (requires acks=all).' }),
    client_id: Type.String({ minLength: 1, maxLength: 255, default: 'sluice', description: 'Kafka client id.' }),
    message_timeout_ms: TimeoutMs({ minimum: 1000, default: 30_000, description: 'How long one produce request may take, in ms.' }),
    connection_timeout_ms: TimeoutMs({ minimum: 100, default: 10_000, description: 'How long connecting to a broker may take, in ms.' }),
    max_request_bytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 104_857_600, description: 'Most bytes (values, keys and headers, before compression) sent in one produce request; a larger batch is split into several requests, sent in order. Unset: the topic\'s `max.message.bytes` as read at start, or 1,000,000 when it cannot be read.', examples: [1_000_000] })),
    batch_size: NoEffect(Type.Integer({ minimum: 1, maximum: 1_048_576, default: 16_384 }), 'RobustMQ\'s librdkafka `batch.size` in bytes. Sluice sends each delivery batch (the connector\'s `delivery.batch_size` records) as one produce request, split only at `max_request_bytes`.'),
    linger_ms: NoEffect(Type.Integer({ minimum: 0, maximum: 60_000, default: 5 }), 'RobustMQ\'s librdkafka `linger.ms`. The connector\'s `delivery.linger_ms` sets how long Sluice waits to fill a batch.'),
    retries: NoEffect(Type.Integer({ minimum: 0, maximum: 100, default: 3 }), 'RobustMQ\'s producer retries. The failure strategy\'s `retry_total_times` (per record) and the wait while the cluster is unavailable (uncharged) replace them.'),
    cleanup_timeout_secs: Type.Integer({ minimum: 0, maximum: 300, default: 10, description: 'How long a shutdown may wait for in-flight requests, in seconds.' }),
    sasl_mechanism: Type.Enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512'], { default: 'none', description: 'SASL authentication mechanism.' }),
    sasl_username: Type.Optional(Type.String({ maxLength: 1024, description: 'SASL user name.' })),
    sasl_password: Type.Optional(Secret({ description: 'SASL password.' })),
    ...TlsFields,
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { bootstrap_servers: 'kafka-1:9092', topic: 'mqtt_messages' },
      { bootstrap_servers: 'kafka-1:9093', topic: 'mqtt_messages', key: '${topic}', sasl_mechanism: 'scram-sha-256', sasl_username: 'sluice', sasl_password: '${env:SLUICE_SECRET_KAFKA_PASSWORD}', enable_tls: true, tls_cert: '${file:/run/secrets/kafka-client.crt}', tls_key: '${file:/run/secrets/kafka-client.key}' },
    ],
  },
);

export type KafkaConfig = Static<typeof kafkaSchema>;

export const kafkaType: ConnectorType<typeof kafkaSchema> = {
  name: 'kafka',
  title: 'Apache Kafka',
  description: 'Produces each MQTT message as a Kafka record (payload bytes as the value, MQTT metadata as headers).',
  inFlight: { default: 1, max: 16 },
  loadSink: () => import('../../connectors/kafka/index.js'),
  schema: kafkaSchema,
  check(config) {
    const errors: FieldError[] = [];
    if (config.sasl_mechanism !== 'none' && (!config.sasl_username || !config.sasl_password)) {
      errors.push({ path: config.sasl_username ? 'sasl_password' : 'sasl_username', rule: `is required when sasl_mechanism is ${String(config.sasl_mechanism)}` });
    }
    if (config.idempotent === true && config.acks !== 'all' && config.acks !== '-1') errors.push({ path: 'acks', rule: 'must be all (or -1) when idempotent is true' });
    errors.push(...templateFieldErrors('key', config.key));
    return errors;
  },
};
