// Line protocol text exactly as InfluxDB's own parser (1.x and 2.x share it) reads it back.
//
// - Measurement: comma and space are escaped with a backslash.
// - Tag keys, tag values, field keys: comma, equals sign and space are escaped.
// - A backslash there is literal: the parser unescapes only `\,`, `\=` and `\ `, so `a\b` and
//   `a\\b` come back unchanged (escaping it would double it). A name or value that ENDS in a
//   backslash cannot be written at all (the separator after it would read as escaped): refused.
// - Newline and carriage return cannot be carried in a name or a tag (the spec forbids them; a
//   newline ends the line): they are written as the two characters `\n` / `\r`, as the official
//   client libraries do. A tab is written as is and comes back unchanged.
// - String field values: double quote and backslash are escaped; a newline inside the quotes is
//   kept as is (InfluxDB reads it back exactly).
// - Floats: JavaScript's shortest round-trip form (`21.5`, `1e+21`); NaN and ±Infinity have no
//   line-protocol form and are left out by the caller.
import type { InfluxdbConfig } from '../../metadata/configs/influxdb.js';

type Precision = InfluxdbConfig['precision'];

export class LineProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LineProtocolError';
  }
}

const NAME_ESCAPES: Record<string, string> = { ',': '\\,', '=': '\\=', ' ': '\\ ', '\n': '\\n', '\r': '\\r' };
const KEY_SPECIALS = /[,= \n\r]/g;
const MEASUREMENT_SPECIALS = /[, \n\r]/g;

/** A tag key, tag value or field key; `what` names it in the error for a trailing backslash. */
export function escapeKey(value: string, what: string): string {
  if (value.endsWith('\\')) throw new LineProtocolError(`${what} ${JSON.stringify(value)} ends in a backslash, which line protocol cannot carry`);
  return value.replace(KEY_SPECIALS, (c) => NAME_ESCAPES[c] as string);
}

export function escapeMeasurement(name: string): string {
  if (name.endsWith('\\')) throw new LineProtocolError(`measurement ${JSON.stringify(name)} ends in a backslash, which line protocol cannot carry`);
  return name.replace(MEASUREMENT_SPECIALS, (c) => NAME_ESCAPES[c] as string);
}

/** A string field value, quoted. */
export function quoteString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** A float field value, or undefined for NaN / ±Infinity (which line protocol cannot express). */
export function formatFloat(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  return Object.is(value, -0) ? '0' : String(value);
}

const SUB_MS: Record<'us' | 'ns', bigint> = { us: 1000n, ns: 1_000_000n };

/**
 * The record's timestamp (ms since the epoch) in `precision` units. With `us` and `ns` the
 * digits below the millisecond hold the record's journal offset (modulo 1,000 / 1,000,000):
 * messages of one series received in the same millisecond stay distinct points instead of
 * overwriting each other, and a redelivered record gets the same timestamp again (so a retry
 * overwrites its own point rather than adding a second one).
 */
export function formatTimestamp(ms: number, offset: number, precision: Precision): string {
  const whole = Math.floor(ms);
  if (precision === 's') return String(Math.floor(whole / 1000));
  if (precision === 'ms') return String(whole);
  const unit = SUB_MS[precision];
  const sub = Number.isSafeInteger(offset) ? BigInt(Math.abs(offset)) % unit : 0n;
  return (BigInt(whole) * unit + sub).toString();
}

export interface Point {
  measurement: string;
  /** tag key → value (unescaped); empty values are left out */
  tags: ReadonlyMap<string, string>;
  /** field key → already formatted field value (`21.5`, `true`, `"text"`) */
  fields: ReadonlyMap<string, string>;
  /** already in the write's precision */
  timestamp: string;
}

/** One line; tags sorted by key (InfluxDB's advice for fast writes). */
export function formatLine(p: Point): string {
  let line = escapeMeasurement(p.measurement);
  const keys = [...p.tags.keys()].sort();
  for (const k of keys) {
    const v = p.tags.get(k) as string;
    if (v === '') continue;
    line += `,${escapeKey(k, 'tag key')}=${escapeKey(v, `value of tag ${JSON.stringify(k)}`)}`;
  }
  if (p.fields.size === 0) throw new LineProtocolError('a point needs at least one field');
  let sep = ' ';
  for (const [k, v] of p.fields) {
    line += `${sep}${escapeKey(k, 'field key')}=${v}`;
    sep = ',';
  }
  return `${line} ${p.timestamp}`;
}
