// Turns TypeBox validation errors into `path: rule` pairs a person can act on.
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import type { FieldError } from '../errors.js';

interface RawError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

type Validator = { Check(value: unknown): boolean; Errors(value: unknown): Iterable<RawError> };
const compiled = new WeakMap<TSchema, Validator>();

function validatorFor(schema: TSchema): Validator {
  let v = compiled.get(schema);
  if (!v) {
    v = Compile(schema) as unknown as Validator;
    compiled.set(schema, v);
  }
  return v;
}

/** Turns `/a/b/0` into `a.b[0]`, prefixed with `prefix`. */
export function joinPath(prefix: string, pointer: string): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function schemaAt(root: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const raw of schemaPath.replace(/^#/, '').split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

function describe(e: RawError, node: Record<string, unknown> | undefined): string {
  const p = e.params;
  const custom = node?.['x-rule'];
  if (typeof custom === 'string' && ['pattern', 'format', 'anyOf', 'const', 'oneOf'].includes(e.keyword)) return custom;
  switch (e.keyword) {
    case 'maximum': return `must be ≤ ${String(p.limit)}`;
    case 'minimum': return `must be ≥ ${String(p.limit)}`;
    case 'exclusiveMaximum': return `must be < ${String(p.limit)}`;
    case 'exclusiveMinimum': return `must be > ${String(p.limit)}`;
    case 'maxLength': return `must be at most ${String(p.limit)} characters`;
    case 'minLength': return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'maxItems': return `must have at most ${String(p.limit)} items`;
    case 'minItems': return `must have at least ${String(p.limit)} items`;
    case 'maxProperties': return `must have at most ${String(p.limit)} entries`;
    case 'type': return `must be ${aOrAn(String(p.type))}`;
    case 'enum': return `must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const': return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'pattern': return `must match ${String(p.pattern)}`;
    default: return e.message;
  }
}

function aOrAn(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** Validates `value` against `schema`; returns every broken rule with its full field path. */
export function schemaErrors(schema: TSchema, value: unknown, prefix = ''): FieldError[] {
  const v = validatorFor(schema);
  if (v.Check(value)) return [];
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const errors = [...v.Errors(value)];
  for (const e of errors) {
    // `additionalProperties: false` (or `Never`, as records use) reports each extra field twice; keep the readable one.
    if ((e.keyword === 'boolean' || e.keyword === 'not') && e.schemaPath.endsWith('additionalProperties')) continue;
    // a union reports each branch and then itself: keep only the summary when the node has a rule
    if (e.schemaPath.includes('/anyOf/')) {
      const unionPath = e.schemaPath.slice(0, e.schemaPath.indexOf('/anyOf/'));
      if (errors.some((o) => o.keyword === 'anyOf' && o.schemaPath === unionPath)) continue;
    }
    const node = schemaAt(schema, e.schemaPath);
    let fe: FieldError[];
    if (e.keyword === 'required') {
      fe = (e.params.requiredProperties as string[]).map((name) => ({ path: joinPath(prefix, `${e.instancePath}/${name}`), rule: 'is required' }));
    } else if (e.keyword === 'additionalProperties') {
      // a record (patternProperties) names the key rule; an object with fixed fields says the field is unknown
      const keyPattern = node?.patternProperties ? Object.keys(node.patternProperties as object)[0] : undefined;
      const rule = keyPattern ? `is not an allowed key: expected ${keyPattern}` : 'is not a known field';
      fe = (e.params.additionalProperties as string[]).map((name) => ({ path: joinPath(prefix, `${e.instancePath}/${name}`), rule }));
    } else if (e.keyword === 'anyOf') {
      const rule = typeof node?.['x-rule'] === 'string' ? node['x-rule'] : 'does not match any allowed form';
      fe = [{ path: joinPath(prefix, e.instancePath), rule }];
    } else {
      fe = [{ path: joinPath(prefix, e.instancePath), rule: describe(e, node) }];
    }
    for (const f of fe) {
      const key = `${f.path}\u0000${f.rule}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(f);
      }
    }
  }
  return out;
}
