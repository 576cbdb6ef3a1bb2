// The one template engine: every place a record value goes into a string (MQTT topics, Kafka
// keys, InfluxDB tags, SQL, Redis and object-key templates) parses and renders with it. Pure: no
// client library, so config checks use it as well as sinks.
//
// Variables:
//   ${topic}                the whole MQTT topic
//   ${topic[N]}             its N-th level, from 0; negative N counts from the end (-1 = last)
//   ${payload}              the payload as UTF-8 text
//   ${payload.a.b}          a field of a JSON object payload (objects and arrays render as JSON)
//   ${timestamp}            ms since epoch when Sluice received the message
//   ${id}                   the record id
//   ${qos}                  0, 1 or 2
//   ${user_properties.k}    an MQTT 5 user property (several values are joined with `,`)
//
// The one rule for a missing value: a variable without a value (a level the topic does not have,
// a payload that is not UTF-8 text or not JSON, a JSON field that is absent or null, a user
// property that is not set) fails the record with an error naming the variable, unless the
// placeholder gives a fallback: `${topic[3]:-none}` renders `none`, `${topic[3]:-}` renders ''.
//
// A template compiled with `{ dateFields: true }` (object keys) also reads strftime-like date
// fields in its text, `%Y %m %d %H` from the record timestamp in UTC (see date-fields.ts); without
// the option a `%` is plain text, as every other template has it.

import { type DateField, dateFieldText, parseDateFields } from './date-fields.js';

export type Variable =
  | { kind: 'topic' }
  | { kind: 'level'; index: number }
  | { kind: 'payload' }
  | { kind: 'payload_field'; path: readonly string[] }
  | { kind: 'timestamp' }
  | { kind: 'id' }
  | { kind: 'qos' }
  | { kind: 'user_property'; key: string }
  /** only in templates compiled with `dateFields` */
  | { kind: 'date'; field: DateField };

export interface TemplateOptions {
  /** read `%Y %m %d %H` (and `%%`) in the text as date fields of the record timestamp, UTC */
  dateFields?: boolean;
}

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'variable'; variable: Variable; /** `${…}` as written */ source: string; fallback?: string };

export interface Template {
  /** the template as written, for messages */
  source: string;
  parts: readonly TemplatePart[];
}

/** What a template reads from a record; `SinkRecord` has this shape. */
export interface TemplateRecord {
  topic: string;
  payload: Buffer;
  qos: number;
  timestamp: number;
  id?: string;
  properties?: { userProperties?: Record<string, string | string[]> };
}

/** A variable's value before it becomes text: JSON fields keep their type, the payload its bytes. */
export type TemplateValue = string | number | boolean | Buffer | readonly unknown[] | Record<string, unknown>;

export const TEMPLATE_VARIABLES = '${topic}, ${topic[N]}, ${payload}, ${payload.<field>}, ${timestamp}, ${id}, ${qos}, ${user_properties.<name>}';

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const LEVEL = /^topic\[(-?\d{1,5})\]$/;
const FIELD_PATH = /^[^.\s]+(\.[^.\s]+)*$/;

function parseVariable(name: string): Variable | undefined {
  if (name === 'topic') return { kind: 'topic' };
  if (name === 'payload') return { kind: 'payload' };
  if (name === 'timestamp') return { kind: 'timestamp' };
  if (name === 'id') return { kind: 'id' };
  if (name === 'qos') return { kind: 'qos' };
  const level = LEVEL.exec(name);
  if (level) return { kind: 'level', index: Number(level[1]) };
  if (name.startsWith('payload.') && FIELD_PATH.test(name.slice(8))) return { kind: 'payload_field', path: name.slice(8).split('.') };
  if (name.startsWith('user_properties.') && name.length > 16) return { kind: 'user_property', key: name.slice(16) };
  return undefined;
}

/** Splits a template into text and variables; the error names the first variable it does not know. */
export function parseTemplate(source: string, options: TemplateOptions = {}): { template: Template } | { error: string } {
  const parts: TemplatePart[] = [];
  const addText = (text: string): string | undefined => {
    if (!options.dateFields) {
      parts.push({ kind: 'text', text });
      return undefined;
    }
    const dated = parseDateFields(text);
    if ('error' in dated) return dated.error;
    for (const d of dated.parts) parts.push('text' in d ? { kind: 'text', text: d.text } : { kind: 'variable', variable: { kind: 'date', field: d.field }, source: `%${d.field}` });
    return undefined;
  };
  let last = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    if (m.index > last) {
      const error = addText(source.slice(last, m.index));
      if (error !== undefined) return { error };
    }
    const inner = m[1] ?? '';
    const cut = inner.indexOf(':-');
    const name = (cut < 0 ? inner : inner.slice(0, cut)).trim();
    const variable = parseVariable(name);
    if (!variable) return { error: `unknown variable ${m[0]}; known: ${TEMPLATE_VARIABLES}` };
    parts.push(cut < 0 ? { kind: 'variable', variable, source: m[0] } : { kind: 'variable', variable, source: m[0], fallback: inner.slice(cut + 2) });
    last = m.index + m[0].length;
  }
  const rest = source.slice(last);
  if (rest.includes('${')) return { error: 'has an unclosed ${' };
  if (rest.length > 0) {
    const error = addText(rest);
    if (error !== undefined) return { error };
  }
  return { template: { source, parts } };
}

/** The config check's view: undefined when the template parses, else the rule it breaks. */
export function templateError(source: string, options?: TemplateOptions): string | undefined {
  const parsed = parseTemplate(source, options);
  return 'error' in parsed ? parsed.error : undefined;
}

/** Parses a template that the config check already accepted. */
export function compileTemplate(source: string, options?: TemplateOptions): Template {
  const parsed = parseTemplate(source, options);
  if ('error' in parsed) throw new Error(`template ${JSON.stringify(source)} ${parsed.error}`);
  return parsed.template;
}

/** The fixed text of a template (everything but its variables), for rules such as "no wildcards". */
export function fixedText(t: Template): string {
  return t.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
}

/** The record's derived values, computed once however many templates read them. */
export class TemplateScope {
  private levelsCache?: string[];
  private textCache?: string | null;
  private jsonCache?: { value: unknown } | null;

  constructor(readonly record: TemplateRecord) {}

  get levels(): string[] {
    this.levelsCache ??= this.record.topic.split('/');
    return this.levelsCache;
  }

  /** the payload as text, or null when it is not valid UTF-8 */
  get text(): string | null {
    if (this.textCache === undefined) {
      try {
        this.textCache = new TextDecoder('utf-8', { fatal: true }).decode(this.record.payload);
      } catch {
        this.textCache = null;
      }
    }
    return this.textCache;
  }

  /** the parsed JSON payload, or null when the payload is not JSON */
  get json(): { value: unknown } | null {
    if (this.jsonCache === undefined) {
      const text = this.text;
      try {
        this.jsonCache = text === null ? null : { value: JSON.parse(text) as unknown };
      } catch {
        this.jsonCache = null;
      }
    }
    return this.jsonCache;
  }
}

/** A variable's value for binding (SQL parameters, command arguments); undefined = no value. */
export function variableValue(v: Variable, scope: TemplateScope): TemplateValue | undefined {
  const r = scope.record;
  switch (v.kind) {
    case 'topic':
      return r.topic;
    case 'level': {
      const levels = scope.levels;
      return levels[v.index < 0 ? levels.length + v.index : v.index];
    }
    case 'payload':
      return r.payload;
    case 'payload_field': {
      let at: unknown = scope.json?.value;
      for (const key of v.path) {
        if (at === null || typeof at !== 'object') return undefined;
        at = (at as Record<string, unknown>)[key];
      }
      return at === null || at === undefined ? undefined : (at as TemplateValue);
    }
    case 'timestamp':
      return r.timestamp;
    case 'id':
      return r.id;
    case 'qos':
      return r.qos;
    case 'user_property': {
      const p = r.properties?.userProperties?.[v.key];
      return Array.isArray(p) ? p.join(',') : p;
    }
    case 'date':
      return dateFieldText(v.field, r.timestamp);
  }
}

/** A value as text: the payload as UTF-8 (undefined when it is not), JSON structures as JSON. */
export function valueText(v: TemplateValue, scope: TemplateScope): string | undefined {
  if (Buffer.isBuffer(v)) return v === scope.record.payload ? (scope.text ?? undefined) : v.toString('utf8');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export type Rendered = { text: string } | { error: string };

/** Renders for one record; a variable without a value and without a fallback fails the render. */
export function renderTemplate(t: Template, recordOrScope: TemplateRecord | TemplateScope): Rendered {
  const scope = recordOrScope instanceof TemplateScope ? recordOrScope : new TemplateScope(recordOrScope);
  let out = '';
  for (const part of t.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const value = variableValue(part.variable, scope);
    const text = value === undefined ? undefined : valueText(value, scope);
    if (text !== undefined) out += text;
    else if (part.fallback !== undefined) out += part.fallback;
    else return { error: `template ${t.source}: ${part.source} has no value for the message on "${shorten(scope.record.topic)}" (${missingWhy(part.variable, scope)})` };
  }
  return { text: out };
}

function missingWhy(v: Variable, scope: TemplateScope): string {
  switch (v.kind) {
    case 'level':
      return `the topic has ${scope.levels.length} levels, counted from 0`;
    case 'payload':
      return 'the payload is not UTF-8 text';
    case 'payload_field':
      return scope.json === null ? 'the payload is not JSON' : `the JSON payload has no ${v.path.join('.')}`;
    case 'user_property':
      return `no user property ${v.key}`;
    default:
      return 'not set';
  }
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
