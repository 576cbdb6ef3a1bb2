// One record → one PUBLISH: target topic, the payload bytes untouched, QoS and retain from the
// config, and (towards an MQTT 5 target) the record's MQTT 5 properties plus the record id as the
// user property `sluice_id` (for deduplication; it replaces one of that name). The message expiry
// interval is what is left of it, as a broker forwarding the message would do; a message that
// expired while it waited in the journal is refused for that record instead of being sent.
import type { IClientPublishOptions } from 'mqtt';
import type { SinkRecord, SinkRecordProperties } from '../sink.js';
import { renderTopic, type TopicTemplate } from './topic-template.js';

export interface Publish {
  topic: string;
  payload: Buffer;
  options: IClientPublishOptions;
}

export interface MappingSettings {
  template: TopicTemplate;
  qos: 0 | 1 | 2;
  retain: boolean;
  v5: boolean;
  /** the target's Maximum Packet Size (MQTT 5 CONNACK), when it announced one */
  maxPacketBytes?: number;
}

type PublishProperties = NonNullable<IClientPublishOptions['properties']>;

export function mapRecord(record: SinkRecord, s: MappingSettings, nowMs: number): Publish | { error: string } {
  const rendered = renderTopic(s.template, record);
  if ('error' in rendered) return rendered;
  const options: IClientPublishOptions = { qos: s.qos, retain: s.retain };
  const p = record.properties;
  const expiry = p?.messageExpiryInterval;
  let remaining: number | undefined;
  if (expiry !== undefined && expiry > 0) {
    remaining = expiry - Math.floor(Math.max(0, nowMs - record.timestamp) / 1000);
    if (remaining <= 0) return { error: `message expired before it could be bridged: its message expiry interval of ${expiry} s ran out ${Math.floor((nowMs - record.timestamp) / 1000) - expiry} s ago` };
  }
  if (s.v5) options.properties = v5Properties(record.id, p, remaining);
  if (s.v5 && s.maxPacketBytes !== undefined) {
    const size = publishPacketBytes(rendered.topic, record.payload.length, s.qos, options.properties);
    if (size > s.maxPacketBytes) return { error: `message too large for the target: its PUBLISH packet is ${size} bytes and the target broker accepts at most ${s.maxPacketBytes} (Maximum Packet Size)` };
  }
  return { topic: rendered.topic, payload: record.payload, options };
}

/** The user property that carries the record id to an MQTT 5 target. */
export const ID_USER_PROPERTY = 'sluice_id';

function v5Properties(id: string, p: SinkRecordProperties | undefined, remainingExpiry: number | undefined): PublishProperties {
  const out: PublishProperties = {};
  if (p?.contentType !== undefined) out.contentType = p.contentType;
  if (p?.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator;
  if (p?.responseTopic !== undefined) out.responseTopic = p.responseTopic;
  if (p?.correlationData !== undefined) out.correlationData = Buffer.from(p.correlationData);
  out.userProperties = { ...p?.userProperties, [ID_USER_PROPERTY]: id };
  if (remainingExpiry !== undefined) out.messageExpiryInterval = remainingExpiry;
  return out;
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 128 && bytes < 4) {
    n = Math.floor(n / 128);
    bytes += 1;
  }
  return bytes;
}

const str = (s: string): number => 2 + Buffer.byteLength(s, 'utf8');

/** The size of the MQTT 5 PUBLISH packet mqtt-packet writes for these fields (MQTT 5 §3.3). */
export function publishPacketBytes(topic: string, payloadBytes: number, qos: 0 | 1 | 2, props: PublishProperties | undefined): number {
  let propBytes = 0;
  if (props) {
    if (props.payloadFormatIndicator !== undefined) propBytes += 2;
    if (props.messageExpiryInterval !== undefined) propBytes += 5;
    if (props.contentType !== undefined) propBytes += 1 + str(props.contentType);
    if (props.responseTopic !== undefined) propBytes += 1 + str(props.responseTopic);
    if (props.correlationData !== undefined) propBytes += 3 + props.correlationData.length;
    for (const [k, v] of Object.entries(props.userProperties ?? {})) {
      for (const one of Array.isArray(v) ? v : [v]) propBytes += 1 + str(k) + str(String(one));
    }
  }
  const remaining = str(topic) + (qos > 0 ? 2 : 0) + varintBytes(propBytes) + propBytes + payloadBytes;
  return 1 + varintBytes(remaining) + remaining;
}
