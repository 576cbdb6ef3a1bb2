// How an MQTT record becomes a Kafka record (documented in docs/en/connectors/kafka.md):
// value = the payload bytes untouched (raw) or the shared record JSON (envelope); key = the `key`
// template rendered by the shared engine, or none; timestamp = when Sluice received the message;
// headers = the record id (`sluice_id`, for deduplication) and the MQTT metadata as text, MQTT 5
// user properties under `mqtt_up_<name>`.
import { renderTemplate, type Template } from '../../metadata/template.js';
import { recordJsonText } from '../record-json.js';
import type { SinkRecord } from '../sink.js';

export type HeaderValue = Buffer | string | (Buffer | string)[];

/** A Kafka record as kafkajs takes it. */
export interface KafkaMessage {
  key: Buffer | null;
  value: Buffer;
  /** ms since epoch, as a decimal string */
  timestamp: string;
  headers: Record<string, HeaderValue>;
}

export interface MappingOptions {
  /** the compiled `key` template; undefined: no key */
  key?: Template;
  value_format: 'raw' | 'envelope';
}

export const HEADER = {
  id: 'sluice_id',
  topic: 'mqtt_topic',
  qos: 'mqtt_qos',
  retain: 'mqtt_retain',
  timestamp: 'mqtt_timestamp',
  contentType: 'mqtt_content_type',
  responseTopic: 'mqtt_response_topic',
  correlationData: 'mqtt_correlation_data',
  userPropertyPrefix: 'mqtt_up_',
} as const;

/** The record key rendered from the template (no template: no key); a variable without a value fails the record. */
export function renderKey(template: Template | undefined, record: SinkRecord): Buffer | null | { error: string } {
  if (template === undefined) return null;
  const rendered = renderTemplate(template, record);
  return 'error' in rendered ? { error: `key ${rendered.error}` } : Buffer.from(rendered.text, 'utf8');
}

export function recordHeaders(record: SinkRecord): Record<string, HeaderValue> {
  const h: Record<string, HeaderValue> = {
    [HEADER.id]: record.id,
    [HEADER.topic]: record.topic,
    [HEADER.qos]: String(record.qos),
    [HEADER.retain]: String(record.retain),
    [HEADER.timestamp]: String(record.timestamp),
  };
  const p = record.properties;
  if (!p) return h;
  if (p.contentType !== undefined) h[HEADER.contentType] = p.contentType;
  if (p.responseTopic !== undefined) h[HEADER.responseTopic] = p.responseTopic;
  if (p.correlationData !== undefined) h[HEADER.correlationData] = Buffer.from(p.correlationData);
  for (const [name, value] of Object.entries(p.userProperties ?? {})) {
    // a repeated MQTT user property becomes the same header repeated, in order
    if (Array.isArray(value)) {
      if (value.length > 0) h[HEADER.userPropertyPrefix + name] = [...value];
    } else {
      h[HEADER.userPropertyPrefix + name] = value;
    }
  }
  return h;
}

export function toKafkaMessage(record: SinkRecord, opts: MappingOptions): KafkaMessage | { error: string } {
  const key = renderKey(opts.key, record);
  if (key !== null && !Buffer.isBuffer(key)) return key;
  return {
    key,
    value: opts.value_format === 'envelope' ? Buffer.from(recordJsonText(record), 'utf8') : record.payload,
    timestamp: String(record.timestamp),
    headers: recordHeaders(record),
  };
}

/** Per-record framing in a Kafka record batch (length, attributes, deltas, varints), rounded up. */
const RECORD_OVERHEAD_BYTES = 32;
/** Per-batch framing (the v2 record batch header is 61 bytes), plus the request around it. */
export const BATCH_OVERHEAD_BYTES = 128;

/** An upper bound of a message's encoded size before compression. */
export function messageBytes(m: KafkaMessage): number {
  let n = RECORD_OVERHEAD_BYTES + m.value.length + (m.key?.length ?? 0);
  for (const [k, v] of Object.entries(m.headers)) {
    for (const one of Array.isArray(v) ? v : [v]) n += 10 + Buffer.byteLength(k) + Buffer.byteLength(one);
  }
  return n;
}

/**
 * Splits `sizes` (in order) into consecutive runs whose sum plus the batch framing stays within
 * `maxBytes`. A record too large on its own gets a run of its own: the broker then says whether it
 * takes it, and the refusal concerns that record alone. Returns the run lengths.
 */
export function planRequests(sizes: readonly number[], maxBytes: number): number[] {
  const runs: number[] = [];
  let count = 0;
  let bytes = BATCH_OVERHEAD_BYTES;
  for (const size of sizes) {
    if (count > 0 && bytes + size > maxBytes) {
      runs.push(count);
      count = 0;
      bytes = BATCH_OVERHEAD_BYTES;
    }
    count += 1;
    bytes += size;
  }
  if (count > 0) runs.push(count);
  return runs;
}
