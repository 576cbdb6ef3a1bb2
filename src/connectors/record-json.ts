// The documented JSON shape of a record, shared by every sink that writes JSON (file, webhook, …).
// The payload is kept as text when its bytes are valid UTF-8 and as base64 otherwise, with a flag,
// so that any payload round-trips exactly; it never becomes an array of integers.
import type { SinkRecord } from './sink.js';

export type PayloadEncoding = 'utf8' | 'base64';

export interface RecordJsonProperties {
  content_type?: string;
  payload_format_indicator?: boolean;
  response_topic?: string;
  /** base64 of the correlation bytes */
  correlation_data?: string;
  user_properties?: Record<string, string | string[]>;
  message_expiry_interval?: number;
}

export interface RecordJson {
  /** the record's stable id (see SinkRecord.id): endpoints deduplicate redeliveries on it */
  id: string;
  topic: string;
  payload: string;
  payload_encoding: PayloadEncoding;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** ms since epoch, when Sluice received the message */
  timestamp: number;
  /** position in the connector's journal */
  offset?: number;
  /** MQTT 5 properties; absent when the message carried none */
  properties?: RecordJsonProperties;
}

/** What `recordToJson` needs: a SinkRecord, whose offset may be absent (e.g. a replayed dead letter). */
export type RecordLike = Omit<SinkRecord, 'offset'> & { offset?: number };

// fatal: reject invalid sequences instead of replacing them; ignoreBOM: keep a leading BOM so the
// text re-encodes to exactly the same bytes.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as text when they are valid UTF-8 (a BOM kept), else undefined. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function encodePayload(bytes: Uint8Array): { payload: string; payload_encoding: PayloadEncoding } {
  const text = utf8Text(bytes);
  if (text !== undefined) return { payload: text, payload_encoding: 'utf8' };
  return { payload: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), payload_encoding: 'base64' };
}

/** The inverse of `encodePayload`: the original bytes. */
export function decodePayload(payload: string, encoding: PayloadEncoding): Buffer {
  return Buffer.from(payload, encoding === 'base64' ? 'base64' : 'utf8');
}

export function recordToJson(record: RecordLike): RecordJson {
  const out: RecordJson = {
    id: record.id,
    topic: record.topic,
    ...encodePayload(record.payload),
    qos: record.qos,
    retain: record.retain,
    timestamp: record.timestamp,
  };
  if (record.offset !== undefined) out.offset = record.offset;
  const properties = propertiesToJson(record.properties);
  if (properties) out.properties = properties;
  return out;
}

/**
 * `JSON.stringify(recordToJson(record))`, byte for byte, without building the object first: the
 * text of every record a JSON-writing sink sends (tests hold the two equal).
 */
export function recordJsonText(record: RecordLike): string {
  const { payload, payload_encoding } = encodePayload(record.payload);
  let out = `{"id":${JSON.stringify(record.id)},"topic":${JSON.stringify(record.topic)},"payload":${JSON.stringify(payload)},"payload_encoding":"${payload_encoding}","qos":${record.qos},"retain":${record.retain},"timestamp":${JSON.stringify(record.timestamp)}`;
  if (record.offset !== undefined) out += `,"offset":${JSON.stringify(record.offset)}`;
  const properties = propertiesToJson(record.properties);
  if (properties) out += `,"properties":${JSON.stringify(properties)}`;
  return `${out}}`;
}

export function propertiesToJson(p: SinkRecord['properties']): RecordJsonProperties | undefined {
  return mqttProperties(p, (b) => Buffer.from(b).toString('base64'));
}

/** The MQTT 5 properties under their documented names, the correlation bytes as `bytes` makes them; undefined when there are none. */
export function mqttProperties<B>(p: SinkRecord['properties'], bytes: (b: Uint8Array) => B): (Omit<RecordJsonProperties, 'correlation_data'> & { correlation_data?: B }) | undefined {
  if (!p) return undefined;
  const out: Omit<RecordJsonProperties, 'correlation_data'> & { correlation_data?: B } = {};
  if (p.contentType !== undefined) out.content_type = p.contentType;
  if (p.payloadFormatIndicator !== undefined) out.payload_format_indicator = p.payloadFormatIndicator;
  if (p.responseTopic !== undefined) out.response_topic = p.responseTopic;
  if (p.correlationData !== undefined) out.correlation_data = bytes(p.correlationData);
  if (p.userProperties !== undefined) out.user_properties = { ...p.userProperties };
  if (p.messageExpiryInterval !== undefined) out.message_expiry_interval = p.messageExpiryInterval;
  return Object.keys(out).length > 0 ? out : undefined;
}
