// The data model between decode and encode: a record is an ordered map of top-level fields.
// A Map (not an object) keeps every key in its given order — objects put integer-like keys
// first — and a field named `__proto__` is just a field.

/** JSON values as decoded; integers beyond 2^53 stay exact as bigint. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

export type EtlRecord = Map<string, JsonValue>;

export function isPlainObject(v: unknown): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function recordFromObject(obj: { [key: string]: JsonValue }): EtlRecord {
  return new Map(Object.entries(obj));
}

/** Sets `obj[key]` as an own data property, even for `__proto__`. */
export function setOwn(obj: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}
