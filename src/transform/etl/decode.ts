// decode_rule: the payload becomes records (RobustMQ's rule-engine decode.rs, same formats and
// defaults). Text formats must be valid UTF-8; every multi-record format stops at
// ETL_LIMITS.maxRecords.
import { parseCsv } from './csv.js';
import { excerpt, fail } from './etl-error.js';
import { parseJson } from './json-text.js';
import { ETL_LIMITS } from './limits.js';
import { isPlainObject, recordFromObject, type EtlRecord, type JsonValue } from './record.js';
import { separator, type DecodeType, type FormatParams } from './rule-schema.js';
import { parseScalar } from './scalar.js';

export type Decoder = (payload: Buffer) => EtlRecord[];

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(payload: Buffer): string {
  try {
    return utf8.decode(payload);
  } catch {
    fail('the payload is not valid UTF-8 text');
  }
}

function asRecord(v: JsonValue, what: string): EtlRecord {
  if (!isPlainObject(v)) fail(`${what} is ${describeJson(v)}, not an object`);
  return recordFromObject(v);
}

function describeJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v === 'bigint' ? 'number' : typeof v}`;
}

function checkCount(n: number, what: string): void {
  if (n > ETL_LIMITS.maxRecords) fail(`${n} ${what}, more than the limit of ${ETL_LIMITS.maxRecords} records per message`);
}

/** Whitespace-split tokens (Rust's split_whitespace) or tokens split by `sep`. */
function tokens(s: string, sep: string | undefined): string[] {
  return sep === undefined ? s.split(/\s+/).filter((t) => t !== '') : s.split(sep);
}

const DECODERS: Record<DecodeType, (p: FormatParams) => Decoder> = {
  JsonObject: () => (payload) => [asRecord(parseJson(text(payload)), 'the JSON value')],

  JsonArray: () => (payload) => {
    const v = parseJson(text(payload));
    if (!Array.isArray(v)) fail(`the JSON value is ${describeJson(v)}, not an array`);
    checkCount(v.length, 'array elements');
    return v.map((item, i) => asRecord(item, `element ${i}`));
  },

  JsonLines: (p) => {
    const sep = separator(p.line_separator);
    return (payload) => {
      const lines = sep === undefined ? text(payload).split('\n') : text(payload).split(sep);
      const out: EtlRecord[] = [];
      lines.forEach((raw, i) => {
        const line = raw.trim();
        if (line === '') return;
        checkCount(out.length + 1, 'JSON lines');
        let v: JsonValue;
        try {
          v = parseJson(line);
        } catch (e) {
          fail(`line ${i + 1}: ${(e as Error).message}`);
        }
        out.push(asRecord(v, `line ${i + 1}`));
      });
      return out;
    };
  },

  KeyValueLine: (p) => {
    const tokenSep = separator(p.token_separator);
    const kvSep = separator(p.kv_separator) ?? '=';
    return (payload) => {
      const rec: EtlRecord = new Map();
      for (const raw of tokens(text(payload), tokenSep)) {
        const token = raw.trim();
        if (token === '') continue;
        const at = token.indexOf(kvSep);
        if (at < 0) fail(`token ${excerpt(token)} has no ${JSON.stringify(kvSep)}`);
        const key = token.slice(0, at);
        if (key === '') fail(`token ${excerpt(token)} has an empty key`);
        if (rec.has(key)) fail(`key ${excerpt(key)} appears twice`);
        rec.set(key, parseScalar(token.slice(at + kvSep.length)));
      }
      return [rec];
    };
  },

  PositionalLine: (p) => {
    const tokenSep = separator(p.token_separator);
    return (payload) => {
      const rec: EtlRecord = new Map();
      for (const raw of tokens(text(payload), tokenSep)) {
        const token = raw.trim();
        if (token !== '') rec.set(`col_${rec.size}`, parseScalar(token));
      }
      if (rec.size === 0) fail('the line has no tokens');
      return [rec];
    };
  },

  Csv: () => (payload) => {
    const [header, ...rows] = parseCsv(text(payload), ETL_LIMITS.maxRecords + 1);
    if (!header) fail('the CSV payload is empty (no header row)');
    const names = header.cells.map((c) => c.text);
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) fail(`the header names column ${excerpt(name)} twice`);
      seen.add(name);
    }
    checkCount(rows.length, 'CSV rows');
    return rows.map((row) => {
      if (row.cells.length !== names.length) fail(`csv row at line ${row.line} has ${row.cells.length} cells but the header has ${names.length}`);
      const rec: EtlRecord = new Map();
      row.cells.forEach((cell, i) => rec.set(names[i] ?? '', cell.quoted ? cell.text : parseScalar(cell.text)));
      return rec;
    });
  },

  PlainText: () => (payload) => [new Map([['message', text(payload)]])],

  Bytes: () => (payload) => {
    if (payload.length > ETL_LIMITS.maxBytesDecoded) fail(`${payload.length} bytes, more than the Bytes decoder's limit of ${ETL_LIMITS.maxBytesDecoded}`);
    return [new Map([['bytes', Array.from(payload)]])];
  },
};

export function decoderFor(params: FormatParams): Decoder {
  return DECODERS[params.data_type](params);
}

