// How a record becomes one JSONEachRow line, and the SQL text the sink sends. Identifiers are
// quoted with backticks after checking them (the schema already restricts database and table to
// plain identifiers): ClickHouse 18.16 has no query parameters.
import { encodePayload } from '../record-json.js';
import type { SinkRecord } from '../sink.js';

export type PayloadFormat = 'raw' | 'json';

/** The raw mapping's table, as `create_table` makes it; payload_encoding may be left out. */
export const RAW_TABLE_SHAPE = 'topic String, payload String, qos UInt8, retain UInt8, timestamp UInt64 (payload_encoding String optional)';

const STRING_TYPE = /^(Nullable\()?(LowCardinality\()?(String|FixedString\(\d+\))\)?\)?$/;
const ENUM_TYPE = /^Enum(8|16)\(/;
const INT_TYPE = /^(Nullable\()?U?Int(8|16|32|64|128|256)\)?$/;
const INT64_TYPE = /^(Nullable\()?U?Int(64|128|256)\)?$/;

/** What keeps a table from taking raw rows (missing columns, types that cannot hold the values); empty when it fits. */
export function rawColumnProblems(columns: readonly { name: string; type: string }[], idColumn?: string): string[] {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const problems: string[] = [];
  const need = (name: string, ok: (type: string) => boolean, wants: string, optional = false): void => {
    const type = types.get(name);
    if (type === undefined) {
      if (!optional) problems.push(`no column ${name}`);
    } else if (!ok(type)) problems.push(`column ${name} is ${type} but needs ${wants}`);
  };
  const isString = (t: string): boolean => STRING_TYPE.test(t);
  need('topic', isString, 'a String');
  need('payload', isString, 'a String');
  need('payload_encoding', (t) => isString(t) || ENUM_TYPE.test(t), "a String or an Enum of 'utf8', 'base64'", true);
  need('qos', (t) => INT_TYPE.test(t), 'an integer type such as UInt8');
  need('retain', (t) => INT_TYPE.test(t), 'an integer type such as UInt8 (0 or 1)');
  need('timestamp', (t) => INT64_TYPE.test(t), 'a 64-bit integer such as UInt64 (milliseconds since the epoch)');
  if (idColumn !== undefined) need(idColumn, isString, 'a String (id_column)');
  return problems;
}

/** A row ready for the request body (one JSON object, no trailing newline), or why the record has none. */
export type MappedRow = { row: string } | { error: string };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// fatal: a payload that is not UTF-8 is not JSON; ignoreBOM: keep a BOM so it can be stripped knowingly
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`clickhouse: "${name}" is not a plain identifier`);
  return `\`${name}\``;
}

/** A single-quoted SQL string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function qualifiedTable(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

/** The table `create_table: true` creates for the raw mapping (with the id column when one is named). */
export function createRawTableSql(database: string, table: string, idColumn?: string): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualifiedTable(database, table)} (`,
    ...(idColumn !== undefined ? [`  ${quoteIdentifier(idColumn)} String,`] : []),
    '  topic String,',
    '  payload String,',
    '  payload_encoding String,',
    '  qos UInt8,',
    '  retain UInt8,',
    '  timestamp UInt64',
    ') ENGINE = MergeTree ORDER BY (topic, timestamp)',
  ].join('\n');
}

/** raw: topic, payload (text, or base64 when not UTF-8, flagged in payload_encoding), qos, retain 0/1, timestamp ms; the id under `idColumn` when one is named. */
export function rawRow(record: SinkRecord, idColumn?: string): string {
  const { payload, payload_encoding } = encodePayload(record.payload);
  const row = { topic: record.topic, payload, payload_encoding, qos: record.qos, retain: record.retain ? 1 : 0, timestamp: record.timestamp };
  return JSON.stringify(idColumn !== undefined ? { [idColumn]: record.id, ...row } : row);
}

/**
 * json: the payload itself, when it is one JSON object. Its text is sent as received (not
 * re-serialised), so 64-bit integers keep every digit; ClickHouse maps fields to columns by name.
 * With an id column the record id is written in front of the payload's fields; a payload that
 * has a field of that name itself is refused (the id would be ambiguous).
 */
export function jsonRow(payload: Buffer, id?: { column: string; value: string }): MappedRow {
  let text: string;
  try {
    text = strictUtf8.decode(payload);
  } catch {
    return { error: 'payload is not valid UTF-8, so it is not a JSON object' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `payload is not valid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: `payload is ${jsonKind(value)}, not a JSON object (payload_format json maps one object per message to one row)` };
  }
  const row = text.trim();
  if (id === undefined) return { row };
  if (Object.hasOwn(value, id.column)) return { error: `payload has a field "${id.column}", the id_column: the record id would be ambiguous` };
  const rest = row.slice(1).trimStart();
  const field = `${JSON.stringify(id.column)}:${JSON.stringify(id.value)}`;
  return { row: rest.startsWith('}') ? `{${field}}` : `{${field},${rest}` };
}

export function mapRecord(record: SinkRecord, format: PayloadFormat, idColumn?: string): MappedRow {
  if (format === 'raw') return { row: rawRow(record, idColumn) };
  return jsonRow(record.payload, idColumn !== undefined ? { column: idColumn, value: record.id } : undefined);
}

function jsonKind(value: unknown): string {
  if (value === null) return 'JSON null';
  if (Array.isArray(value)) return 'a JSON array';
  return `a JSON ${typeof value}`;
}
