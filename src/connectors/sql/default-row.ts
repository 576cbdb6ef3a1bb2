// The documented default row of the postgres and mysql types: one row per record, keyed by the
// record id (so a redelivered record is a no-op), the payload as text when it is UTF-8 and as
// bytes otherwise (flagged), the JSON payload again in a JSON column when the table has one, and
// the MQTT 5 properties as JSON. Pure: the sinks turn these values into their statements.
import type { Refusal } from '../batch-mapping.js';
import { propertiesToJson } from '../record-json.js';
import type { SinkRecord } from '../sink.js';
import type { SqlDialect } from '../../metadata/sql-statement.js';

export const DEFAULT_COLUMNS = ['id', 'topic', 'payload', 'payload_bytes', 'payload_binary', 'payload_json', 'qos', 'retain', 'timestamp', 'properties'] as const;
export type DefaultColumn = (typeof DEFAULT_COLUMNS)[number];
/** what a table needs for the default row; the other columns are written when it has them */
export const REQUIRED_COLUMNS: readonly DefaultColumn[] = ['id', 'topic', 'payload', 'qos', 'retain', 'timestamp'];

/** The default-row columns a table has, in DEFAULT_COLUMNS order, or what it misses. */
export function rowColumns(tableColumns: readonly string[]): { columns: DefaultColumn[] } | { missing: DefaultColumn[] } {
  const have = new Set(tableColumns.map((c) => c.toLowerCase()));
  const missing = REQUIRED_COLUMNS.filter((c) => !have.has(c));
  if (missing.length > 0) return { missing };
  return { columns: DEFAULT_COLUMNS.filter((c) => have.has(c)) };
}

// fatal: a payload that is not UTF-8 goes to payload_bytes; ignoreBOM: the text keeps every byte
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The payload as text, or null when it cannot be stored as text (not UTF-8; for PostgreSQL also a NUL character). */
export function payloadText(payload: Buffer, dialect: SqlDialect): string | null {
  if (dialect === 'postgres' && payload.includes(0)) return null;
  try {
    return strictUtf8.decode(payload);
  } catch {
    return null;
  }
}

/** ms since epoch as the text the server's timestamp type parses (UTC, ms precision). */
export function timestampText(ms: number, dialect: SqlDialect): string {
  const iso = new Date(ms).toISOString();
  return dialect === 'postgres' ? iso : iso.replace('T', ' ').replace('Z', '');
}

/** One record's values in `columns` order, or why the table cannot take it. */
export function defaultRow(record: SinkRecord, columns: readonly DefaultColumn[], dialect: SqlDialect): unknown[] | Refusal {
  const text = payloadText(record.payload, dialect);
  if (text === null && !columns.includes('payload_bytes')) {
    return { error: `payload is not ${dialect === 'postgres' ? 'UTF-8 text without NUL characters' : 'UTF-8 text'} and the table has no payload_bytes column to hold its bytes` };
  }
  return columns.map((c) => value(c, record, text, dialect));
}

function value(c: DefaultColumn, record: SinkRecord, text: string | null, dialect: SqlDialect): unknown {
  switch (c) {
    case 'id':
      return record.id;
    case 'topic':
      return record.topic;
    case 'payload':
      return text;
    case 'payload_bytes':
      return text === null ? record.payload : null;
    case 'payload_binary':
      return text === null;
    case 'payload_json':
      return jsonText(text, dialect);
    case 'qos':
      return record.qos;
    case 'retain':
      return record.retain;
    case 'timestamp':
      return timestampText(record.timestamp, dialect);
    case 'properties': {
      const p = propertiesToJson(record.properties);
      return p === undefined ? null : JSON.stringify(p);
    }
  }
}

/** The payload text when it is one JSON value (jsonb cannot hold a \u0000 escape: then null). */
function jsonText(text: string | null, dialect: SqlDialect): string | null {
  if (text === null) return null;
  const t = text.trim();
  if (t.length === 0 || !'{["-0123456789tfn'.includes(t[0] as string)) return null;
  if (dialect === 'postgres' && t.includes('\\u0000')) return null;
  try {
    JSON.parse(t);
    return t;
  } catch {
    return null;
  }
}

/** With upsert, a batch keeps only the last row of each conflict key: applied in order, the earlier ones would be overwritten anyway. */
export function lastPerKey<T>(rows: readonly T[], key: (row: T) => string): number[] {
  const last = new Map<string, number>();
  rows.forEach((row, i) => last.set(key(row), i));
  return [...last.values()].sort((a, b) => a - b);
}
