// One row per config field, derived from the JSON Schema the server returns for a connector type:
// the CLI holds no field knowledge of its own.
import type { JsonSchema } from './api-types.js';

export interface FieldRow {
  name: string;
  type: string;
  default: string;
  required: boolean;
  secret: boolean;
  description: string;
}

function json(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function range(s: JsonSchema): string {
  const { minimum: min, maximum: max } = s;
  if (min !== undefined && max !== undefined) return ` ${min}..${max}`;
  if (min !== undefined) return ` ≥${min}`;
  if (max !== undefined) return ` ≤${max}`;
  return '';
}

export function typeLabel(s: JsonSchema): string {
  if (Array.isArray(s.enum)) return s.enum.map(json).join('|');
  if (s.const !== undefined) return json(s.const);
  if (Array.isArray(s.anyOf)) return s.anyOf.map(typeLabel).join(' or ');
  const type = Array.isArray(s.type) ? s.type.join('|') : s.type;
  if (type === 'integer' || type === 'number') return `${type}${range(s)}`;
  if (type === 'array') return s.items ? `array of ${typeLabel(s.items)}` : 'array';
  return type ?? 'any';
}

function defaultLabel(v: unknown): string {
  if (v === undefined) return '';
  if (v === '') return '""';
  return json(v);
}

function describe(s: JsonSchema): string {
  const text = s.description ?? '';
  const example = Array.isArray(s.examples) && s.examples.length > 0 ? `e.g. ${json(s.examples[0])}` : '';
  return [text, example].filter(Boolean).join(' ');
}

export function fieldRows(schema: JsonSchema): FieldRow[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    type: typeLabel(s),
    default: defaultLabel(s.default),
    // a field with a default need not be given, even when the schema lists it as required
    required: required.has(name) && s.default === undefined,
    secret: s.writeOnly === true || s['x-secret'] === true,
    description: describe(s),
  }));
}
