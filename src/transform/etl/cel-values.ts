// Record values to CEL values and back. As in cel-rust's JSON mapping, a JSON integer is a CEL
// int (a BigInt in cel-js) and any other number a double. JSON.parse cannot tell 36 from 36.0,
// so `36.0` arrives as int 36 — harmless with the mixed int/double arithmetic of cel-runtime.ts,
// except that int / int divides as integers.
import { fail } from './etl-error.js';
import { ETL_LIMITS } from './limits.js';
import { isPlainObject, setOwn, type JsonValue } from './record.js';

const INT64_LIMIT = 2 ** 63;

export function toCel(v: JsonValue): unknown {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < INT64_LIMIT ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v)) out[k] = toCel(v[k] as JsonValue);
    return out;
  }
  return v;
}

interface Counter {
  nodes: number;
}

/** A CEL result as a field value; refuses what JSON cannot hold and results past the size limits. */
export function fromCel(v: unknown): JsonValue {
  return convert(v, 0, { nodes: 0 });
}

function convert(v: unknown, depth: number, c: Counter): JsonValue {
  if (++c.nodes > ETL_LIMITS.maxCelResultNodes) fail(`the CEL result has more than ${ETL_LIMITS.maxCelResultNodes} values`);
  if (depth > ETL_LIMITS.maxDepth) fail(`the CEL result is nested deeper than ${ETL_LIMITS.maxDepth} levels`);
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    case 'number':
      if (!Number.isFinite(v)) fail(`the CEL result is ${v}, which JSON cannot hold`);
      return v;
    case 'object':
      return convertObject(v, depth, c);
    default:
      return fail(`the CEL result is ${typeof v}`);
  }
}

function convertObject(v: object | null, depth: number, c: Counter): JsonValue {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map((x) => convert(x, depth + 1, c));
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) fail('the CEL result is an invalid timestamp');
    return v.toISOString();
  }
  if (v instanceof Map) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of v) setOwn(out, String(k), convert(x, depth + 1, c));
    return out;
  }
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === null || proto === Object.prototype) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, convert(x, depth + 1, c));
    return out;
  }
  const name = v.constructor?.name ?? 'object';
  // cel-js's uint and duration values (classes it does not export)
  if ((name === 'UnsignedInt' || name === 'UnsignedInteger') && 'value' in v) return convert((v as { value: unknown }).value, depth, c);
  if (name === 'Duration') return String(v);
  return fail(`the CEL result is a ${name}, which a field cannot hold`);
}
