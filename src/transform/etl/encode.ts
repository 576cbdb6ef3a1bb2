// encode_rule: records become output payloads (RobustMQ's rule-engine encode.rs). Per-record
// formats (JsonObject, KeyValueLine, PositionalLine, PlainText, Bytes) give one payload per
// record — RobustMQ refuses anything but exactly one record — so a JsonArray decode splits a
// message; collection formats (JsonArray, JsonLines, Csv) give one payload holding all records.
// No records give no payload.
import { csvField } from './csv.js';
import { fail } from './etl-error.js';
import { stringifyJson, stringifyRecord } from './json-text.js';
import type { EtlRecord, JsonValue } from './record.js';
import { separator, type EncodeType, type FormatParams } from './rule-schema.js';
import { lineValue } from './scalar.js';

export type Encoder = (records: EtlRecord[]) => Buffer[];

function perRecord(one: (r: EtlRecord, index: number) => Buffer): Encoder {
  return (records) => records.map(one);
}

function collection(all: (records: EtlRecord[]) => string): Encoder {
  return (records) => (records.length === 0 ? [] : [Buffer.from(all(records), 'utf8')]);
}

function lineToken(v: JsonValue): string {
  return lineValue(v, stringifyJson);
}

const COLUMN = /^col_(\d+)$/;

function csvCell(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '';
  return csvField(lineToken(v));
}

const ENCODERS: Record<EncodeType, (p: FormatParams) => Encoder> = {
  JsonObject: () => perRecord((r) => Buffer.from(stringifyRecord(r), 'utf8')),

  JsonArray: () => collection((records) => `[${records.map(stringifyRecord).join(',')}]`),

  JsonLines: (p) => {
    const sep = separator(p.line_separator) ?? '\n';
    return collection((records) => records.map(stringifyRecord).join(sep));
  },

  KeyValueLine: (p) => {
    const tokenSep = separator(p.token_separator) ?? ' ';
    const kvSep = separator(p.kv_separator) ?? '=';
    return perRecord((r) => Buffer.from([...r].map(([k, v]) => `${k}${kvSep}${lineToken(v)}`).join(tokenSep), 'utf8'));
  },

  PositionalLine: (p) => {
    const tokenSep = separator(p.token_separator) ?? ' ';
    return perRecord((r) => {
      const cols: Array<[number, string]> = [];
      for (const [k, v] of r) {
        const m = COLUMN.exec(k);
        if (m) cols.push([Number(m[1]), lineToken(v)]);
      }
      cols.sort((a, b) => a[0] - b[0]);
      return Buffer.from(cols.map(([, v]) => v).join(tokenSep), 'utf8');
    });
  },

  Csv: () =>
    collection((records) => {
      const headers: string[] = [];
      const seen = new Set<string>();
      for (const r of records) {
        for (const k of r.keys()) {
          if (seen.has(k)) continue;
          seen.add(k);
          headers.push(k);
        }
      }
      let out = `${headers.map(csvField).join(',')}\n`;
      for (const r of records) out += `${headers.map((h) => csvCell(r.get(h))).join(',')}\n`;
      return out;
    }),

  PlainText: () =>
    perRecord((r, i) => {
      const m = r.get('message');
      if (typeof m !== 'string') fail(`record ${i} has no string field "message"`);
      return Buffer.from(m, 'utf8');
    }),

  Bytes: () =>
    perRecord((r, i) => {
      const bytes = r.get('bytes');
      if (!Array.isArray(bytes)) fail(`record ${i} has no array field "bytes"`);
      const out = Buffer.allocUnsafe(bytes.length);
      bytes.forEach((b, j) => {
        if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) fail(`record ${i}: bytes[${j}] is not an integer 0–255`);
        out[j] = b;
      });
      return out;
    }),
};

export function encoderFor(params: FormatParams): Encoder {
  return ENCODERS[params.data_type](params);
}
