// One record → one AMQP message: the raw payload as the body (never re-encoded), the record id as
// message_id, the reception time as timestamp (AMQP counts seconds; the ms are in a header), MQTT
// 5's content type, response topic and expiry as content_type, reply_to and expiration, and the
// rest of the MQTT metadata as headers.
import type { Options } from 'amqplib';
import type { RabbitmqConfig } from '../../metadata/configs/rabbitmq.js';
import { compileTemplate, renderTemplate, type Template } from '../../metadata/template.js';
import type { Refusal } from '../batch-mapping.js';
import type { SinkRecord } from '../sink.js';

export interface AmqpMessage {
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
}

/** AMQP short strings (routing keys, message ids) hold at most 255 bytes. */
const SHORTSTR_BYTES = 255;

export class MessageMapper {
  private readonly routingKey?: Template;
  private readonly deliveryMode: 1 | 2;

  constructor(private readonly cfg: RabbitmqConfig) {
    this.routingKey = cfg.routing_key === undefined ? undefined : compileTemplate(cfg.routing_key);
    this.deliveryMode = cfg.delivery_mode === 'Persistent' ? 2 : 1;
  }

  map(record: SinkRecord): AmqpMessage | Refusal {
    let routingKey: string;
    if (this.routingKey) {
      const r = renderTemplate(this.routingKey, record);
      if ('error' in r) return r;
      routingKey = r.text;
    } else {
      routingKey = record.topic.replaceAll('/', '.');
    }
    const bytes = Buffer.byteLength(routingKey);
    if (bytes > SHORTSTR_BYTES) return { error: `routing key of ${bytes} bytes for the message on "${record.topic.slice(0, 200)}": AMQP allows at most ${SHORTSTR_BYTES}` };
    return { routingKey, content: record.payload, options: this.options(record) };
  }

  private options(record: SinkRecord): Options.Publish {
    const p = record.properties;
    const headers: Record<string, unknown> = {
      mqtt_topic: record.topic,
      mqtt_qos: record.qos,
      mqtt_retain: record.retain,
      mqtt_timestamp_ms: record.timestamp,
    };
    if (p?.payloadFormatIndicator !== undefined) headers.mqtt_payload_format_indicator = p.payloadFormatIndicator;
    if (p?.correlationData !== undefined) headers.mqtt_correlation_data = p.correlationData;
    if (p?.userProperties !== undefined) headers.mqtt_user_properties = { ...p.userProperties };
    const options: Options.Publish = {
      messageId: record.id,
      timestamp: Math.floor(record.timestamp / 1000),
      deliveryMode: this.deliveryMode,
      mandatory: this.cfg.mandatory,
      headers,
    };
    if (p?.contentType !== undefined) options.contentType = p.contentType;
    if (p?.responseTopic !== undefined) options.replyTo = p.responseTopic;
    if (p?.messageExpiryInterval !== undefined) options.expiration = String(p.messageExpiryInterval * 1000);
    return options;
  }
}
