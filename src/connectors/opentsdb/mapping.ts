// One MQTT record → one OpenTSDB data point (see docs/en/connectors/opentsdb.md, "Mapping").
//
// - The payload must be a JSON object (else the record fails, permanent).
// - metric: the `metric_field` field, a non-empty string; value: the `value_field` field, a finite
//   number or a string holding one (sent as a number). Missing or of another type: permanent.
// - tags: the top-level `tags_fields` (strings as they are, other scalars as their JSON text) or,
//   when tags_fields is empty, the payload's `tags` object; then the `tags` templates, which win.
//   Empty, null and absent values are left out.
// - timestamp in ms: the payload's `timestamp` (an integer; up to 10 digits it is read as seconds,
//   as OpenTSDB reads it), else the time Sluice received the message. Any other `timestamp` is permanent.
// Checked here because VictoriaMetrics' listener drops a point it cannot parse with a 204 and a
// log line: only points it parses are sent.
import { compileTemplate, renderTemplate, TemplateScope, type Template } from '../../metadata/template.js';
import type { OpentsdbConfig } from '../../metadata/configs/opentsdb.js';
import { SinkError, type SinkRecord } from '../sink.js';

export interface DataPoint {
  metric: string;
  timestamp: number;
  value: number;
  tags: Record<string, string>;
}

const SECONDS_MAX = 9_999_999_999;

export class PointMapper {
  private readonly templates: [string, Template][];

  constructor(private readonly cfg: Pick<OpentsdbConfig, 'metric_field' | 'value_field' | 'tags_fields' | 'tags'>) {
    this.templates = Object.entries(cfg.tags).map(([k, t]) => [k, compileTemplate(t)]);
  }

  /** The record's point; a record that cannot be mapped throws a permanent SinkError. */
  point(record: SinkRecord): DataPoint {
    const scope = new TemplateScope(record);
    const json = scope.json?.value;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) refuse('the payload is not a JSON object');
    const payload = json as Record<string, unknown>;
    const { metric_field: mf, value_field: vf } = this.cfg;
    const metric = payload[mf];
    if (typeof metric !== 'string' || metric === '') refuse(`metric field ${JSON.stringify(mf)} ${metric === undefined ? 'is missing' : 'must be a non-empty string'}`);
    const value = numberOf(payload[vf]);
    if (value === undefined) refuse(`value field ${JSON.stringify(vf)} ${payload[vf] === undefined ? 'is missing' : 'must be a finite number (or a string holding one)'}`);
    const tags: Record<string, string> = {};
    if (this.cfg.tags_fields.length > 0) {
      for (const f of this.cfg.tags_fields) setTag(tags, f, payload[f]);
    } else if (payload.tags !== undefined && payload.tags !== null) {
      if (typeof payload.tags !== 'object' || Array.isArray(payload.tags)) refuse('the payload\'s tags must be an object');
      for (const [k, v] of Object.entries(payload.tags as Record<string, unknown>)) setTag(tags, k, v);
    }
    for (const [key, template] of this.templates) {
      const rendered = renderTemplate(template, scope);
      if ('error' in rendered) refuse(`tag ${key}: ${rendered.error}`);
      if (rendered.text === '') delete tags[key];
      else tags[key] = rendered.text;
    }
    return { metric, timestamp: timestampMs(payload.timestamp, record.timestamp), value, tags };
  }
}

function refuse(why: string): never {
  throw SinkError.permanent(`opentsdb: ${why}`);
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function setTag(tags: Record<string, string>, key: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v === 'object') refuse(`tag ${JSON.stringify(key)} must be a string, number or boolean, not ${Array.isArray(v) ? 'an array' : 'an object'}`);
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  if (text !== '') tags[key] = text;
}

function timestampMs(v: unknown, received: number): number {
  if (v === undefined || v === null) return Math.floor(received);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) refuse('timestamp must be a non-negative integer (seconds or ms since the epoch)');
  return v <= SECONDS_MAX ? v * 1000 : v;
}

/** The identity of a point as OpenTSDB echoes it in a `details` error: metric, timestamp and tags. */
export function pointKey(p: { metric?: unknown; timestamp?: unknown; tags?: unknown }): string {
  const tags = typeof p.tags === 'object' && p.tags !== null ? Object.entries(p.tags as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : [];
  const ts = Number(p.timestamp);
  return JSON.stringify([String(p.metric), ts <= SECONDS_MAX ? ts * 1000 : ts, tags]);
}
