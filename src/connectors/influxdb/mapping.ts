// One MQTT record → one line-protocol point (see docs/en/connectors/influxdb.md, "Mapping").
//
// - A JSON object payload: numbers (as floats), booleans and strings become fields; nested objects
//   are flattened with `_` (`{"a":{"b":1}}` → `a_b`); arrays, nulls, empty keys and the key
//   `time` (which InfluxDB does not store as a field) are left out. Keys named in `tag_fields`
//   become tags instead (scalars only). An object with no field left is a permanent error.
// - Any other payload (not JSON, or JSON that is not an object): a string field `payload` with
//   the text, or base64 when the bytes are not UTF-8, and a string field `payload_encoding`
//   (`utf8` | `base64`).
// - Tags from `tags` templates, rendered by the shared engine (src/metadata/template.ts): a
//   variable without a value fails the record unless the template gives a fallback
//   (`${topic[3]:-}`). They win over a payload tag of the same name. Empty tag values are left out.
import { compileTemplate, renderTemplate, TemplateScope, type Template } from '../../metadata/template.js';
import { encodePayload } from '../record-json.js';
import { SinkError, type SinkRecord } from '../sink.js';
import type { InfluxdbConfig } from '../../metadata/configs/influxdb.js';

type Precision = InfluxdbConfig['precision'];
import { formatFloat, formatLine, formatTimestamp, LineProtocolError, quoteString } from './line-protocol.js';

export interface MappingOptions {
  measurement: string;
  precision: Precision;
  tags: Record<string, string>;
  tag_fields: readonly string[];
  /** the sink whose messages these are (the greptime sink maps with this too); default influxdb */
  sink?: keyof typeof SERVER_NAMES;
}

const SERVER_NAMES = { influxdb: 'InfluxDB', greptime: 'GreptimeDB' } as const;

export class PointMapper {
  private readonly templates: [string, Template][];
  private readonly tagFields: ReadonlySet<string>;
  private readonly label: keyof typeof SERVER_NAMES;

  constructor(private readonly o: MappingOptions) {
    this.templates = Object.entries(o.tags).map(([k, t]) => [k, compileTemplate(t)]);
    this.tagFields = new Set(o.tag_fields);
    this.label = o.sink ?? 'influxdb';
  }

  /** The record's line; a record that cannot be mapped throws a permanent SinkError. */
  line(record: SinkRecord): string {
    const tags = new Map<string, string>();
    const fields = new Map<string, string>();
    const { payload, payload_encoding } = encodePayload(record.payload);
    const object = payload_encoding === 'utf8' ? parseObject(payload) : undefined;
    if (object) {
      this.collect(object, '', tags, fields);
      if (fields.size === 0) {
        throw SinkError.permanent(`${this.label}: the JSON payload has no field ${SERVER_NAMES[this.label]} can store (numbers, booleans, strings; arrays, nulls and tag_fields do not count)`);
      }
    } else {
      fields.set('payload', quoteString(payload));
      fields.set('payload_encoding', quoteString(payload_encoding));
    }
    if (this.templates.length > 0) {
      const scope = new TemplateScope(record);
      for (const [key, template] of this.templates) {
        const rendered = renderTemplate(template, scope);
        if ('error' in rendered) throw SinkError.permanent(`${this.label}: tag ${key}: ${rendered.error}`);
        tags.set(key, rendered.text);
      }
    }
    try {
      return formatLine({ measurement: this.o.measurement, tags, fields, timestamp: formatTimestamp(record.timestamp, record.offset, this.o.precision) });
    } catch (e) {
      if (e instanceof LineProtocolError) throw SinkError.permanent(`${this.label}: ${e.message}`);
      throw e;
    }
  }

  private collect(obj: Record<string, unknown>, prefix: string, tags: Map<string, string>, fields: Map<string, string>): void {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix === '' ? k : `${prefix}_${k}`;
      if (this.tagFields.has(key)) {
        const tag = scalarText(v);
        if (tag !== undefined) tags.set(key, tag);
        continue;
      }
      if (isPlainObject(v)) {
        this.collect(v, key, tags, fields);
        continue;
      }
      if (key === '' || key === 'time') continue;
      const value = fieldValue(v);
      if (value !== undefined) fields.set(key, value);
    }
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  // only an object can become fields: skip JSON.parse for anything else
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return isPlainObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldValue(v: unknown): string | undefined {
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return quoteString(v);
  return undefined;
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  return undefined;
}
