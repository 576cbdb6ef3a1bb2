import Type from 'typebox';
import { templateConfigErrors } from '../../connectors/mqtt/topic-template.js';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { CredentialFields, TlsFields } from '../schema-kit.js';

export const mqttType: ConnectorType = {
  name: 'mqtt',
  title: 'MQTT bridge',
  description: 'Republishes each message to another MQTT broker, waiting for its ack at QoS ≥ 1.',
  loadSink: async () => (await import('../../connectors/mqtt/index.js')).createSink,
  schema: Type.Object(
    {
      server: Type.String({ minLength: 1, maxLength: 2048, pattern: '^(mqtt|mqtts|ws|wss)://[^\\s]+$', 'x-rule': 'expected an mqtt://, mqtts://, ws:// or wss:// URL', 'x-url': true, description: 'Target broker. mqtts:// and wss:// connect with TLS.', examples: ['mqtt://remote-broker:1883'] }),
      client_id_prefix: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$', 'x-rule': 'expected A-Z a-z 0-9 _ . -', default: 'sluice', description: 'Client id prefix; the client id is `<prefix>_<connector name>`.' }),
      ...CredentialFields,
      protocol_version: Type.Enum(['v3', 'v4', 'v5'], { default: 'v5', description: 'v3: MQTT 3.1, v4: MQTT 3.1.1, v5: MQTT 5 (carries the MQTT 5 properties).' }),
      keepalive_secs: Type.Integer({ minimum: 1, maximum: 65535, default: 60, description: 'Keep-alive interval, in seconds.' }),
      connect_timeout_secs: Type.Integer({ minimum: 1, maximum: 300, default: 10, description: 'Connect timeout, in seconds.' }),
      topic_prefix: Type.String({ maxLength: 1024, default: '', description: 'Prepended as it is to the rendered topic_template (write the `/` yourself). No wildcards.', examples: ['bridged/'] }),
      topic_template: Type.String({ minLength: 1, maxLength: 4096, default: '${topic}', description: 'Target topic; `${topic}` is the source topic, `${topic[N]}` its N-th level (from 0; -1 is the last).', examples: ['site-1/${topic[1]}/${topic[-1]}'] }),
      qos: Type.Integer({ minimum: 0, maximum: 2, default: 1, description: 'QoS of the republished message.' }),
      retain: Type.Boolean({ default: false, description: 'Publish with the retain flag.' }),
      ...TlsFields,
    },
    { additionalProperties: false },
  ),
  check(config) {
    const errors: FieldError[] = [];
    for (const [path, rule] of templateConfigErrors(String(config.topic_prefix ?? ''), String(config.topic_template ?? '${topic}'))) errors.push({ path, rule });
    if (config.tls_cert && !config.tls_key) errors.push({ path: 'tls_key', rule: 'is required when tls_cert is set' });
    if (config.tls_key && !config.tls_cert) errors.push({ path: 'tls_cert', rule: 'is required when tls_key is set' });
    return errors;
  },
};
