import Type from 'typebox';
import type { ConnectorType } from '../connector-type.js';
import { CredentialFields, TlsFields } from '../schema-kit.js';

export const mqttType: ConnectorType = {
  name: 'mqtt',
  title: 'MQTT bridge',
  description: 'Republishes each message to another MQTT broker, waiting for its ack at QoS ≥ 1.',
  schema: Type.Object(
    {
      server: Type.String({ minLength: 1, maxLength: 2048, pattern: '^(mqtt|mqtts|ws|wss)://[^\\s]+$', 'x-rule': 'expected an mqtt://, mqtts://, ws:// or wss:// URL', description: 'Target broker.', examples: ['mqtt://remote-broker:1883'] }),
      client_id_prefix: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$', 'x-rule': 'expected A-Z a-z 0-9 _ . -', default: 'sluice', description: 'Client id prefix; the connector name is appended.' }),
      ...CredentialFields,
      protocol_version: Type.Enum(['v3', 'v4', 'v5'], { default: 'v5', description: 'v3: MQTT 3.1, v4: MQTT 3.1.1, v5: MQTT 5.' }),
      keepalive_secs: Type.Integer({ minimum: 1, maximum: 65535, default: 60, description: 'Keep-alive interval, in seconds.' }),
      connect_timeout_secs: Type.Integer({ minimum: 1, maximum: 300, default: 10, description: 'Connect timeout, in seconds.' }),
      topic_prefix: Type.String({ maxLength: 1024, default: '', description: 'Prepended to the target topic.', examples: ['bridged/'] }),
      topic_template: Type.String({ minLength: 1, maxLength: 4096, default: '${topic}', description: 'Target topic; `${topic}` is the source topic, `${topic[N]}` its N-th level.' }),
      qos: Type.Integer({ minimum: 0, maximum: 2, default: 1, description: 'QoS of the republished message.' }),
      retain: Type.Boolean({ default: false, description: 'Publish with the retain flag.' }),
      ...TlsFields,
    },
    { additionalProperties: false },
  ),
};
