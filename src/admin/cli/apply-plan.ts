// What `sluice apply` would change: each file definition compared with the server's view of it.
// The server never returns secrets, so a value it shows masked (`******`, or a URL with
// `******` in it) matches whatever the file holds there; a field the file leaves out matches
// when the server holds its schema default. Only paths are reported, never values.
import type { ConnectorTypeInfo, ConnectorView, JsonSchema } from './api-types.js';
import type { FileDefinition } from '../../metadata/definition-files.js';
import { isPlainObject } from './input.js';

export const MASK = '******';

type Schema = JsonSchema & { $ref?: string };

export interface Schemas {
  /** the body of POST /api/v1/connectors, from the OpenAPI document */
  definition: Schema | undefined;
  components: Record<string, JsonSchema>;
  types: ConnectorTypeInfo[];
}

export type PlanAction = 'create' | 'update' | 'unchanged' | 'delete';

export interface PlanItem {
  action: PlanAction;
  tenant: string;
  name: string;
  /** the file (and position) of the definition; none for a delete */
  source?: string;
  /** paths that differ, for an update */
  changed?: string[];
  /** the revision an update is conditional on (an API change meanwhile fails it) */
  revision?: number;
  body?: Record<string, unknown>;
}

function deref(s: Schema | undefined, schemas: Schemas): Schema | undefined {
  return s?.$ref ? schemas.components[s.$ref.replace('#/components/schemas/', '')] : s;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `******` inside a value the server shows stands for any text. */
function matchesMasked(desired: unknown, shown: string): boolean {
  if (typeof desired !== 'string') return false;
  const pattern = shown.split(MASK).map(escapeRegex).join('[\\s\\S]*');
  return new RegExp(`^${pattern}$`).test(desired);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(desired: unknown, actual: unknown, schema: Schema | undefined, path: string, schemas: Schemas, out: string[]): void {
  const s = deref(schema, schemas);
  if (desired === undefined) {
    if (s?.default !== undefined) return compare(s.default, actual, undefined, path, schemas, out);
    if (isPlainObject(actual) && s?.properties) {
      for (const [k, v] of Object.entries(actual)) compare(undefined, v, s.properties[k], `${path}.${k}`, schemas, out);
    }
    return;
  }
  if (typeof actual === 'string' && actual.includes(MASK)) {
    if (!matchesMasked(desired, actual)) out.push(path);
    return;
  }
  if (isPlainObject(desired) && isPlainObject(actual)) {
    for (const k of new Set([...Object.keys(desired), ...Object.keys(actual)])) {
      compare(desired[k], actual[k], s?.properties?.[k], path ? `${path}.${k}` : k, schemas, out);
    }
    return;
  }
  if (!same(desired, actual)) out.push(path);
}

function configOf(body: Record<string, unknown>): unknown {
  if (typeof body.config !== 'string') return body.config;
  try {
    return JSON.parse(body.config) as unknown;
  } catch {
    return body.config; // the server refuses it with the field name
  }
}

/** The paths where the file's definition differs from what the server holds. */
export function changedPaths(file: FileDefinition, view: ConnectorView, schemas: Schemas): string[] {
  const out: string[] = [];
  const definition = deref(schemas.definition, schemas);
  const body: Record<string, unknown> = { ...file.body, tenant: file.tenant, config: configOf(file.body) };
  const typeName = typeof body.type === 'string' ? body.type.toLowerCase() : '';
  const type = schemas.types.find((t) => t.name === typeName);
  const shown = view as unknown as Record<string, unknown>;
  for (const key of Object.keys(definition?.properties ?? {})) {
    const schema = key === 'config' ? type?.schema : definition?.properties?.[key];
    const desired = key === 'type' && typeof body.type === 'string' ? body.type.toLowerCase() : body[key];
    compare(desired, shown[key], schema, key, schemas, out);
  }
  return out;
}

/** Paths of `******` in a definition: on a create there is no stored value for them to keep. */
export function maskedPaths(value: unknown, path = ''): string[] {
  if (value === MASK) return [path];
  if (typeof value === 'string') return value.includes(MASK) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => maskedPaths(v, `${path}[${i}]`));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([k, v]) => maskedPaths(v, path ? `${path}.${k}` : k));
  return [];
}

export function plan(files: FileDefinition[], current: ConnectorView[], schemas: Schemas, prune: boolean): PlanItem[] {
  const byKey = new Map(current.map((c) => [`${c.tenant}/${c.name}`, c]));
  const items: PlanItem[] = files.map((f) => {
    const view = byKey.get(`${f.tenant}/${f.name}`);
    const base = { tenant: f.tenant, name: f.name, source: f.source, body: f.body };
    if (!view) return { ...base, action: 'create' };
    const changed = changedPaths(f, view, schemas);
    return changed.length > 0 ? { ...base, action: 'update', changed, revision: view.revision } : { ...base, action: 'unchanged' };
  });
  if (prune) {
    const wanted = new Set(files.map((f) => `${f.tenant}/${f.name}`));
    for (const c of current) if (!wanted.has(`${c.tenant}/${c.name}`)) items.push({ action: 'delete', tenant: c.tenant, name: c.name });
  }
  return items;
}
