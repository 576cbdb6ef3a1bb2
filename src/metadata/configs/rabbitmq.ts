import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { Host, Password, Port, Template, templateFieldErrors, Username } from '../schema-kit.js';

const NO_EFFECT = 'Accepted for RobustMQ compatibility; no effect:';

export const rabbitmqSchema = Type.Object(
  {
    server: Host({ description: 'RabbitMQ host name or IP address.', examples: ['localhost'] }),
    port: Port({ default: 5672, description: 'AMQP port (5671 is usual with TLS).' }),
    username: Username({ default: 'guest' }),
    password: Password({ default: 'guest', description: 'Password. RabbitMQ\'s default user guest/guest can only log in from the same host.' }),
    virtual_host: Type.String({ maxLength: 256, default: '/', description: 'Virtual host.' }),
    exchange: Type.String({ maxLength: 255, description: 'Exchange to publish to; it must exist (declare it and bind the queues first). Empty: the default exchange, which routes by queue name.', examples: ['mqtt_messages'] }),
    routing_key: Type.Optional(Template({ maxLength: 1024, description: 'Routing key template (see Templates), e.g. `sensor.${topic[1]}`. Unset: the MQTT topic with `/` replaced by `.` (`sensors/hall-a/t` → `sensors.hall-a.t`), so topic exchanges can match on its levels. A rendered key longer than 255 bytes fails that record.', examples: ['sensor.data'] })),
    delivery_mode: Type.Enum(['Persistent', 'NonPersistent'], { default: 'Persistent', description: 'Persistent: delivery mode 2, the broker writes the message to disk (in a durable queue) before confirming it; NonPersistent: delivery mode 1. RobustMQ\'s default is NonPersistent.' }),
    mandatory: Type.Boolean({ default: true, description: 'Publish with the mandatory flag: a message that no queue receives comes back (basic.return) and fails as permanent instead of vanishing.' }),
    enable_tls: Type.Boolean({ default: false, description: 'Connect with TLS (amqps), verifying the server against the system\'s CAs.' }),
    connection_timeout_secs: Type.Integer({ minimum: 1, maximum: 300, default: 30, description: 'Connect timeout, in seconds.' }),
    heartbeat_secs: Type.Integer({ minimum: 0, maximum: 300, default: 60, description: 'AMQP heartbeat, in seconds (0: none).' }),
    batch_size: Type.Integer({ minimum: 1, maximum: 10_000, default: 100, description: `${NO_EFFECT} a batch is the connector's delivery.batch_size.` }),
    channel_max: Type.Integer({ minimum: 1, maximum: 65_535, default: 2047, description: 'Most channels the connection may open (the sink uses one).' }),
    frame_max: Type.Integer({ minimum: 4096, maximum: 1_048_576, default: 131_072, description: 'Largest AMQP frame, in bytes; larger messages are split into several frames.' }),
    confirm_timeout_secs: Type.Integer({ minimum: 1, maximum: 300, default: 30, description: 'Longest wait for the broker to confirm a batch, in seconds; records still unconfirmed then fail as unavailable.' }),
    publisher_confirms: Type.Boolean({ default: true, description: `${NO_EFFECT} Sluice always publishes on a confirm channel: without confirms no message can be known to be written.` }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { server: 'localhost', exchange: 'mqtt_messages' },
      { server: 'rabbitmq.example.com', port: 5671, username: 'mqtt_user', password: '${env:SLUICE_SECRET_RABBITMQ_PASSWORD}', virtual_host: '/production', exchange: 'mqtt_exchange', routing_key: 'iot.${topic[1]}', enable_tls: true },
    ],
  },
);

export type RabbitmqConfig = Static<typeof rabbitmqSchema>;

export const rabbitmqType: ConnectorType<typeof rabbitmqSchema> = {
  name: 'rabbitmq',
  title: 'RabbitMQ',
  description: 'Publishes each message to a RabbitMQ exchange (AMQP 0-9-1) on a confirm channel: the raw payload as the body, MQTT metadata as properties and headers.',
  loadSink: () => import('../../connectors/rabbitmq/index.js'),
  schema: rabbitmqSchema,
  check(config) {
    const errors: FieldError[] = [];
    if (config.routing_key !== undefined) errors.push(...templateFieldErrors('routing_key', config.routing_key));
    if (config.username === '') errors.push({ path: 'username', rule: 'must not be empty' });
    return errors;
  },
};
