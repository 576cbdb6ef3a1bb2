import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { NoEffect, Secret, Template, templateFieldErrors, TimeoutSecs, Token } from '../schema-kit.js';

const HOST_PORT = '[A-Za-z0-9.\\[\\]:-]+(:[0-9]{1,5})?';
const HOSTS = `${HOST_PORT}(,\\s*${HOST_PORT})*`;

export const pulsarSchema = Type.Object(
  {
    server: Type.String({ minLength: 1, maxLength: 512, pattern: `^\\s*(pulsar|pulsar\\+ssl|ws|wss|http|https)://${HOSTS}(/[^\\s]*)?\\s*$`, 'x-rule': 'expected pulsar://host:port, pulsar+ssl://host:port, or the web service as http(s)://host:port or ws(s)://host:port; several hosts comma-separated', 'x-url': true, description: 'The Pulsar cluster. Sluice talks to the broker\'s WebSocket API, served by its web service: `http://host:port` / `ws://host:port` (`https` / `wss` for TLS) name it directly; RobustMQ\'s `pulsar://host:port` (`pulsar+ssl://`) names the binary protocol port, and the web service is then taken to be on the same host at Pulsar\'s default port 8080 (8443 with TLS) unless `web_service_url` says otherwise. Several hosts, comma-separated (`pulsar://b1:6650,b2:6650`), are tried in order when one cannot be reached.', examples: ['pulsar://localhost:6650', 'http://pulsar-broker:8080'] }),
    web_service_url: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: `^\\s*(ws|wss|http|https)://${HOSTS}(/[^\\s]*)?\\s*$`, 'x-rule': 'expected http(s)://host:port or ws(s)://host:port; several hosts comma-separated', 'x-url': true, description: 'Where the WebSocket API is served (a broker\'s web service or a WebSocket proxy), when `server` is a `pulsar://` URL whose web service is not on port 8080 of the same host. A path is kept as a prefix (`https://gw/pulsar` → `wss://gw/pulsar/ws/v2/…`).', examples: ['http://pulsar-broker:8080'] })),
    topic: Template({ minLength: 1, maxLength: 256, description: 'Topic template (see Templates). `persistent://tenant/namespace/name` (or `non-persistent://…`) names the tenant and namespace; any other text is a topic name in `public/default`. In the name, every `/` becomes `.` (MQTT `a/b/c` → `a.b.c`).', examples: ['mqtt-messages', 'persistent://iot/mqtt/${topic}'] }),
    key: Template({ maxLength: 256, default: '', description: 'Message key template (see Templates); Pulsar routes a partitioned topic by it and compaction keeps the last message per key. Empty: no key.', examples: ['${topic}'] }),
    token: Type.Optional(Token({ description: 'JWT for Pulsar\'s token authentication, sent as `Authorization: Bearer <token>`. One method is used: `token` when set, else `oauth`, else `basic_name`/`basic_password` (RobustMQ refuses a config that sets more than one).' })),
    oauth: Type.Optional(Secret({ description: 'OAuth 2.0 client credentials as a JSON string: `issuer_url`, `client_id`, `client_secret`, optional `audience` and `scope`. Sluice reads the token endpoint from `<issuer_url>/.well-known/openid-configuration`, fetches an access token with the client-credentials grant (again shortly before it expires) and sends it as a bearer token.' })),
    basic_name: Type.Optional(Type.String({ maxLength: 256, description: 'User name for Pulsar\'s basic authentication (`AuthenticationProviderBasic`).' })),
    basic_password: Type.Optional(Secret({ description: 'Password for basic authentication.' })),
    connection_timeout_secs: TimeoutSecs({ default: 30, description: 'How long opening a producer may take (the WebSocket handshake, in which the broker authenticates, looks the topic up and creates its producer), in seconds.' }),
    operation_timeout_secs: TimeoutSecs({ default: 30, description: 'How long fetching an OAuth access token may take, in seconds.' }),
    send_timeout_secs: TimeoutSecs({ default: 30, description: 'How long a message may wait for the broker\'s ack, in seconds (also the broker-side producer\'s send timeout).' }),
    max_pending_messages: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000, description: 'Most messages in flight (sent, not yet acked) on one producer; the rest of a batch is sent as acks come back. Also the broker-side producer\'s queue size.' }),
    compression: Type.Optional(Type.String({ maxLength: 16, pattern: '^([Nn][Oo][Nn][Ee]|[Ll][Zz]4|[Zz][Ll][Ii][Bb]|[Zz][Ss][Tt][Dd]|[Ss][Nn][Aa][Pp][Pp][Yy])$', 'x-rule': 'one of none, lz4, zlib, zstd, snappy (any case)', description: 'Compression of the stored messages, done by the broker-side producer: `none`, `lz4`, `zlib`, `zstd` or `snappy`, in any case (as RobustMQ takes it). Unset: none.', examples: ['lz4'] })),
    max_frame_bytes: Type.Integer({ minimum: 1024, maximum: 1_073_741_824, default: 1_048_576, description: 'The largest WebSocket text frame the broker takes (its `webSocketMaxTextFrameSize`, 1 MiB by default). A record whose frame (the payload as base64 plus properties) is larger fails permanently without being sent: the broker would close the connection for it.' }),
    batch_size: NoEffect(Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }), 'RobustMQ\'s producer batch size. Sluice sends each delivery batch (the connector\'s `delivery.batch_size` records) at once, `max_pending_messages` at a time.'),
    // RobustMQ's docs page (Performance Tuning) shows these, but its config struct has no such fields and ignores them
    batch_timeout_ms: Type.Optional(NoEffect(Type.Integer({ minimum: 0, maximum: 3_600_000 }), 'RobustMQ\'s docs page shows it, but RobustMQ\'s connector has no such field and ignores it too. The connector\'s `delivery.linger_ms` sets how long Sluice waits to fill a batch.')),
    compression_type: Type.Optional(NoEffect(Type.String({ maxLength: 16 }), 'RobustMQ\'s docs page shows it, but RobustMQ\'s connector has no such field and ignores it too. Use `compression`.')),
    send_timeout_ms: Type.Optional(NoEffect(Type.Integer({ minimum: 0, maximum: 3_600_000 }), 'RobustMQ\'s docs page shows it, but RobustMQ\'s connector has no such field and ignores it too. Use `send_timeout_secs`.')),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { server: 'pulsar://localhost:6650', topic: 'mqtt-messages' },
      { server: 'http://pulsar-broker:8080', topic: 'persistent://iot/mqtt/${topic}', key: '${topic}', token: '${env:SLUICE_SECRET_PULSAR_TOKEN}', compression: 'lz4' },
      { server: 'pulsar+ssl://pulsar:6651', web_service_url: 'https://pulsar:8443', topic: 'mqtt-messages', oauth: '${file:/run/secrets/pulsar-oauth.json}' },
      { server: 'pulsar://pulsar:6650', topic: 'mqtt-messages', basic_name: 'sluice', basic_password: '${env:SLUICE_SECRET_PULSAR_PASSWORD}' },
      // every secret at once (only the token is used: see token)
      { server: 'pulsar://pulsar:6650', topic: 'mqtt-messages', token: '${env:SLUICE_SECRET_PULSAR_TOKEN}', oauth: '${file:/run/secrets/pulsar-oauth.json}', basic_name: 'sluice', basic_password: '${env:SLUICE_SECRET_PULSAR_PASSWORD}' },
    ],
  },
);

export type PulsarConfig = Static<typeof pulsarSchema>;

export const pulsarType: ConnectorType<typeof pulsarSchema> = {
  name: 'pulsar',
  title: 'Apache Pulsar',
  description: 'Produces each message to a Pulsar topic (from a template) over the broker\'s WebSocket API, MQTT metadata as message properties, and waits for every ack.',
  loadSink: () => import('../../connectors/pulsar/index.js'),
  schema: pulsarSchema,
  check(config) {
    const errors: FieldError[] = [...templateFieldErrors('topic', config.topic), ...templateFieldErrors('key', config.key)];
    if ((config.basic_name === undefined) !== (config.basic_password === undefined)) errors.push({ path: config.basic_name === undefined ? 'basic_name' : 'basic_password', rule: 'basic_name and basic_password are set together' });
    return errors;
  },
};
