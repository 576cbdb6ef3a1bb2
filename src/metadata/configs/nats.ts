import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { CredentialFields, Template, templateFieldErrors, TimeoutMs, TimeoutSecs, tlsPairErrors, TlsFields, Token } from '../schema-kit.js';

const SERVER = '(nats|tls)://)?[A-Za-z0-9.:\\[\\]-]+(:[0-9]{1,5})?';

export const natsSchema = Type.Object(
  {
    servers: Type.String({ minLength: 1, maxLength: 4096, pattern: `^\\s*(${SERVER}\\s*(,\\s*(${SERVER}\\s*)*$`, 'x-rule': 'expected host:port or nats://host:port, comma-separated', description: 'NATS servers, comma-separated: `host:port` or `nats://host:port` (`tls://` for TLS).', examples: ['nats://localhost:4222'] }),
    subject: Template({ minLength: 1, maxLength: 1024, default: '${topic}', description: 'Subject template (see Templates). Every `/` of the rendered subject becomes `.`, so the default turns MQTT `a/b/c` into `a.b.c`; whitespace, `*` and `>` become `_`, an empty level `_`.', examples: ['mqtt.${topic}'] }),
    stream: Type.String({ maxLength: 256, pattern: '^[^\\s.*>]*$', 'x-rule': 'a JetStream stream name: no whitespace, ., * or >', default: '', description: 'When set, a publish is refused unless it lands in this stream (JetStream\'s expected-stream check). Empty: any stream that captures the subject.' }),
    ...CredentialFields,
    token: Type.Optional(Token({ description: 'Authentication token. With username/password as well, both are sent and the server uses the one it is configured for.' })),
    ...TlsFields,
    connect_timeout_secs: TimeoutSecs({ default: 10, description: 'Connect timeout, in seconds.' }),
    timeout_ms: TimeoutMs({ default: 10_000, description: 'How long a publish may wait for its JetStream ack, in ms.' }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { servers: 'nats://localhost:4222' },
      { servers: 'nats://nats-1:4222,nats://nats-2:4222', subject: 'mqtt.${topic}', stream: 'MQTT', username: 'sluice', password: '${env:SLUICE_SECRET_NATS_PASSWORD}' },
      { servers: 'tls://nats:4222', username: 'sluice', password: '${env:SLUICE_SECRET_NATS_PASSWORD}', token: '${env:SLUICE_SECRET_NATS_TOKEN}', enable_tls: true, tls_cert: '${file:/run/secrets/nats.crt}', tls_key: '${file:/run/secrets/nats.key}' },
    ],
  },
);

export type NatsConfig = Static<typeof natsSchema>;

export const natsType: ConnectorType<typeof natsSchema> = {
  name: 'nats',
  title: 'NATS JetStream',
  description: 'Publishes each message to NATS JetStream (subject from a template, MQTT metadata as headers, Nats-Msg-Id = record id) and waits for every ack.',
  inFlight: { default: 4, max: 16 },
  loadSink: () => import('../../connectors/nats/index.js'),
  schema: natsSchema,
  check(config) {
    const errors: FieldError[] = [...templateFieldErrors('subject', config.subject), ...tlsPairErrors(config)];
    if (config.password && !config.username) errors.push({ path: 'username', rule: 'is required when password is set' });
    return errors;
  },
};
