// Extract's source paths: `a.b.0.c` (dots; a number selects an array element) or a JSON Pointer
// `/a/b/0/c` (RFC 6901, `~1` = `/`, `~0` = `~`), as RobustMQ reads them. Parsed once at compile time.
import { isPlainObject, type EtlRecord, type JsonValue } from './record.js';

export type FieldPath = readonly string[];

/** The path's segments, or a rule it breaks. */
export function parsePath(source: string): FieldPath | string {
  if (source.startsWith('/')) {
    const parts = source.slice(1).split('/');
    for (const p of parts) if (/~(?![01])/.test(p)) return 'is a JSON Pointer with a "~" not followed by 0 or 1';
    return parts.map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  const parts = source.split('.').filter((p) => p !== '');
  return parts.length > 0 ? parts : 'must name a field (a dotted path or a JSON Pointer starting with "/")';
}

const INDEX = /^(?:0|[1-9]\d*)$/;

/** The value at `path` in `record`, or undefined when any step is missing. */
export function lookup(record: EtlRecord, path: FieldPath): JsonValue | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  let cur: JsonValue | undefined = record.get(head);
  for (const seg of rest) {
    if (Array.isArray(cur)) cur = INDEX.test(seg) ? cur[Number(seg)] : undefined;
    else if (isPlainObject(cur)) cur = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}
