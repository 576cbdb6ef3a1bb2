// One record → one MongoDB document. `_id` is the record id, so a redelivered record collides with
// the one already stored (duplicate key) instead of being stored twice. The payload is kept in
// the most useful form that loses nothing: a JSON object becomes a sub-document (queryable as
// `payload.temp`), other UTF-8 text a string (so is a JSON object that would not come back
// unchanged), any other bytes BSON binary, and `payload_encoding` says which. The reception time is a BSON date (ms), MQTT 5 properties a
// sub-document.
import { Binary, type Document } from 'mongodb';
import { mqttProperties, utf8Text } from '../record-json.js';
import type { SinkRecord } from '../sink.js';

export type PayloadEncoding = 'json' | 'utf8' | 'binary';

export interface MqttDocument extends Document {
  _id: string;
  topic: string;
  payload: Document | string | Binary;
  payload_encoding: PayloadEncoding;
  qos: 0 | 1 | 2;
  retain: boolean;
  timestamp: Date;
  properties?: Document;
}

/** deepest JSON nesting kept as a sub-document (MongoDB refuses documents nested past 100 levels) */
const MAX_DEPTH = 90;

/**
 * A JSON value that MongoDB stores as it is: integers that a double holds exactly (one beyond
 * 2^53 would come back changed), and field names that every server takes and queries plainly
 * (not empty, no leading `$`, no `.`, no NUL).
 */
function storable(v: unknown, depth: number): boolean {
  if (typeof v === 'number') return !Number.isInteger(v) || Number.isSafeInteger(v);
  if (typeof v !== 'object' || v === null) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(v)) return v.every((x) => storable(x, depth + 1));
  return Object.entries(v).every(([k, x]) => k !== '' && !k.startsWith('$') && !k.includes('.') && !k.includes('\u0000') && storable(x, depth + 1));
}

/** The payload as stored: a JSON object as a sub-document, UTF-8 text as a string, else binary. */
export function payloadValue(bytes: Buffer): { payload: Document | string | Binary; payload_encoding: PayloadEncoding } {
  // invalid UTF-8 is binary, never replaced
  const text = utf8Text(bytes);
  if (text === undefined) return { payload: new Binary(bytes), payload_encoding: 'binary' };
  if (/^\s*\{/.test(text)) {
    try {
      const parsed: unknown = JSON.parse(text);
      // an object that would not come back as it was (see storable) stays text
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && storable(parsed, 1)) return { payload: parsed as Document, payload_encoding: 'json' };
    } catch {
      // not JSON: kept as the text it is
    }
  }
  return { payload: text, payload_encoding: 'utf8' };
}

/** The MQTT 5 properties under the names every JSON sink uses (record-json.ts), the correlation bytes as BSON binary. */
export function propertiesDocument(p: SinkRecord['properties']): Document | undefined {
  return mqttProperties(p, (b) => new Binary(b));
}

export function toDocument(record: SinkRecord): MqttDocument {
  const doc: MqttDocument = {
    _id: record.id,
    topic: record.topic,
    ...payloadValue(record.payload),
    qos: record.qos,
    retain: record.retain,
    timestamp: new Date(record.timestamp),
  };
  const properties = propertiesDocument(record.properties);
  if (properties) doc.properties = properties;
  return doc;
}
