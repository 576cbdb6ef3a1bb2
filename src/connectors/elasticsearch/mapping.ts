// One record → one bulk `index` action and its document (two NDJSON lines). `_id` is the record
// id, so a redelivered record overwrites itself instead of being indexed twice. The document:
// topic, the payload, payload_encoding, qos, retain, timestamp (ISO 8601 with ms: a `date` under
// dynamic mapping), properties (MQTT 5, as record-json.ts writes them). The payload is kept in
// the most useful form that loses nothing: a JSON object as the object `payload` (its original
// text, so large integers and key order stay as sent); anything else as the string
// `payload_text`, UTF-8 text as it is and other bytes as base64. `payload_encoding` says which
// (`json`, `utf8`, `base64`). Two fields, not one: an index maps a field once, as an object or
// as text, so one `payload` field would refuse every text message after the first JSON one.
import { compileTemplate, renderTemplate, TemplateScope, type Template } from '../../metadata/template.js';
import { INDEX_FORBIDDEN } from '../../metadata/configs/elasticsearch.js';
import { encodePayload, propertiesToJson } from '../record-json.js';
import { SinkError, type SinkRecord } from '../sink.js';

export type PayloadEncoding = 'json' | 'utf8' | 'base64';

/** What one record adds to the bulk body, and where it goes. */
export interface BulkItem {
  index: string;
  id: string;
  /** the action line and the document line, each ending in \n */
  lines: string;
}

/** Elasticsearch's longest index name, in bytes */
const MAX_INDEX_BYTES = 255;

/** The payload's field in the document's text: a JSON object as `payload`, else the string `payload_text`. */
export function payloadField(bytes: Buffer): { field: 'payload' | 'payload_text'; json: string; encoding: PayloadEncoding } {
  const { payload, payload_encoding } = encodePayload(bytes);
  if (payload_encoding === 'utf8' && /^\s*\{/.test(payload)) {
    try {
      const parsed: unknown = JSON.parse(payload);
      // raw \r and \n can only be whitespace in valid JSON: one line for NDJSON, nothing else changes
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { field: 'payload', json: payload.replace(/[\r\n]+/g, ' ').trim(), encoding: 'json' };
    } catch {
      // not JSON: kept as the text it is
    }
  }
  return { field: 'payload_text', json: JSON.stringify(payload), encoding: payload_encoding };
}

/** The document's text (one line). */
export function documentLine(record: SinkRecord): string {
  const { field, json, encoding } = payloadField(record.payload);
  const properties = propertiesToJson(record.properties);
  return `{"topic":${JSON.stringify(record.topic)},"${field}":${json},"payload_encoding":"${encoding}","qos":${record.qos},"retain":${record.retain},"timestamp":"${new Date(record.timestamp).toISOString()}"${properties ? `,"properties":${JSON.stringify(properties)}` : ''}}`;
}

export class IndexMapper {
  private readonly template: Template;

  constructor(index: string) {
    this.template = compileTemplate(index);
  }

  /** The record's bulk lines; a record whose index cannot be named throws a permanent SinkError. */
  item(record: SinkRecord): BulkItem {
    const index = this.indexOf(record);
    return { index, id: record.id, lines: `{"index":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(record.id)}}}\n${documentLine(record)}\n` };
  }

  /** The template rendered, what its variables put in lower-cased; refused when Elasticsearch would refuse the name. */
  indexOf(record: SinkRecord): string {
    const scope = new TemplateScope(record);
    let name = '';
    for (const part of this.template.parts) {
      if (part.kind === 'text') {
        name += part.text;
        continue;
      }
      const rendered = renderTemplate({ source: part.source, parts: [part] }, scope);
      if ('error' in rendered) throw SinkError.permanent(`elasticsearch: index ${JSON.stringify(this.template.source)}: ${rendered.error}`);
      name += rendered.text.toLowerCase();
    }
    const why = indexNameProblem(name);
    if (why) throw SinkError.permanent(`elasticsearch: index name ${JSON.stringify(name.slice(0, 300))} (from ${JSON.stringify(this.template.source)}) ${why}`);
    return name;
  }
}

function indexNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return 'must not be . or ..';
  if (/^[-_+]/.test(name)) return 'must not start with -, _ or +';
  if (INDEX_FORBIDDEN.test(name)) return 'must not contain \\ / * ? " < > | space , # or :';
  if (Buffer.byteLength(name) > MAX_INDEX_BYTES) return `is longer than ${MAX_INDEX_BYTES} bytes`;
  return undefined;
}
