// Text cells (key=value values, positional tokens, unquoted CSV cells) become JSON scalars the way
// RobustMQ's parse_scalar_value does: true/false in any case → bool, a 64-bit integer → int, a
// finite decimal → float, anything else → the string itself (no trimming: " 1" stays a string).
import type { JsonValue } from './record.js';

const INTEGER = /^[+-]?\d+$/;
// Rust's f64 parser: digits with an optional point and exponent; "inf"/"nan" parse but are not
// finite, so RobustMQ keeps them as strings — as does this.
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export function parseScalar(raw: string): JsonValue {
  const lower = raw.length === 4 || raw.length === 5 ? raw.toLowerCase() : '';
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (INTEGER.test(raw)) {
    const big = BigInt(raw);
    if (big >= I64_MIN && big <= I64_MAX) {
      const n = Number(big);
      return Number.isSafeInteger(n) ? n : big;
    }
    return Number(raw);
  }
  if (FLOAT.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  return raw;
}

/** A value as one token of a key=value or positional line (RobustMQ's value_to_line_value). */
export function lineValue(v: JsonValue, stringify: (v: JsonValue) => string): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return stringify(v);
}
