import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { MqttClientFields, NoEffect, Template, TlsFields, tlsPairErrors } from '../schema-kit.js';
import { fixedText, parseTemplate } from '../template.js';

export const mqttSchema = Type.Object(
  {
    server: Type.String({ minLength: 1, maxLength: 2048, pattern: '^(mqtt|mqtts|ws|wss|tcp|ssl)://[^\\s]+$', 'x-rule': 'expected an mqtt://, mqtts://, ws://, wss://, tcp:// or ssl:// URL', 'x-url': true, description: 'Target broker. mqtts://, wss:// and ssl:// connect with TLS; tcp:// and ssl:// are the Paho forms RobustMQ documents (the same as mqtt:// and mqtts://).', examples: ['mqtt://remote-broker:1883'] }),
    ...MqttClientFields,
    topic_prefix: Type.String({ maxLength: 1024, default: '', description: 'Joined to the rendered topic_template with one `/`, as RobustMQ does (`bridged` and `bridged/` both give `bridged/<topic>`). Empty: no prefix. No wildcards.', examples: ['bridged'] }),
    topic_template: Template({ minLength: 1, maxLength: 4096, default: '${topic}', description: 'Target topic (see Templates); `${topic}` is the source topic, `${topic[N]}` its N-th level (from 0; -1 is the last).', examples: ['site-1/${topic[1]}/${topic[-1]}'] }),
    qos: Type.Integer({ minimum: 0, maximum: 2, default: 1, description: 'QoS of the republished message.' }),
    retain: Type.Boolean({ default: false, description: 'Publish with the retain flag.' }),
    max_retries: NoEffect(Type.Integer({ minimum: 0, maximum: 10, default: 3 }), 'RobustMQ\'s publish retries. The failure strategy\'s `retry_total_times` (per record) and the wait while the target broker is unavailable (uncharged) replace them.'),
    ...TlsFields,
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { server: 'mqtt://remote-broker:1883' },
      { server: 'mqtts://remote-broker:8883', username: 'bridge', password: '${env:SLUICE_SECRET_MQTT_PASSWORD}', enable_tls: true, tls_cert: '${file:/run/secrets/mqtt-client.crt}', tls_key: '${file:/run/secrets/mqtt-client.key}', topic_prefix: 'edge-01/' },
    ],
  },
);

export type MqttConfig = Static<typeof mqttSchema>;

export const mqttType: ConnectorType<typeof mqttSchema> = {
  name: 'mqtt',
  aliases: ['mqttbridge', 'mqtt_bridge'],
  title: 'MQTT bridge',
  description: 'Republishes each message to another MQTT broker, waiting for its ack at QoS ≥ 1.',
  loadSink: () => import('../../connectors/mqtt/index.js'),
  schema: mqttSchema,
  check(config) {
    const errors: FieldError[] = [];
    const prefixRule = fixedTextRule(config.topic_prefix);
    if (prefixRule) errors.push({ path: 'topic_prefix', rule: prefixRule });
    const parsed = parseTemplate(config.topic_template);
    const templateRule = 'error' in parsed ? parsed.error : fixedTextRule(fixedText(parsed.template));
    if (templateRule) errors.push({ path: 'topic_template', rule: templateRule });
    errors.push(...tlsPairErrors(config));
    return errors;
  },
};

/** Source topics never hold a wildcard or NUL, so only the fixed text of prefix and template can add one. */
function fixedTextRule(text: string): string | undefined {
  if (/[+#]/.test(text)) return 'must not contain the wildcards + or #';
  if (text.includes('\u0000')) return 'must not contain a NUL character';
  return undefined;
}
