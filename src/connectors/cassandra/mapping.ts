// Record → the values of one INSERT. The table's columns are read from system_schema
// at init and matched by name: the default table's (id, topic, payload, payload_bytes,
// payload_binary, qos, retain, timestamp, properties) and RobustMQ's (`msgid` for the id, `arrived`
// for the timestamp in ms), each in the CQL types listed in COLUMN_TYPES; other regular columns
// are left alone. The payload is text when it is valid UTF-8, else its bytes go to payload_bytes
// (flagged in payload_binary); a `payload blob` column takes the raw bytes always. A value that
// is absent is bound as `unset`, never as null, so no row carries a tombstone. Pure.
import type { Refusal } from '../batch-mapping.js';
import { propertiesToJson } from '../record-json.js';
import type { SinkRecord } from '../sink.js';

export const FIELDS = ['id', 'topic', 'payload', 'payload_bytes', 'payload_binary', 'qos', 'retain', 'timestamp', 'properties'] as const;
export type Field = (typeof FIELDS)[number];

/** RobustMQ's column names for the same values */
const ALIASES: Readonly<Record<string, Field>> = { msgid: 'id', arrived: 'timestamp' };

/** the CQL types (as system_schema.columns names them) each value may be written to */
export const COLUMN_TYPES: Readonly<Record<Field, readonly string[]>> = {
  id: ['text', 'ascii'],
  topic: ['text'],
  payload: ['text', 'blob'],
  payload_bytes: ['blob'],
  payload_binary: ['boolean'],
  qos: ['tinyint', 'smallint', 'int', 'bigint'],
  retain: ['boolean'],
  timestamp: ['timestamp', 'bigint'],
  properties: ['text'],
};

export interface TableColumn {
  name: string;
  /** the CQL type, e.g. `text`, `timestamp` */
  type: string;
  /** partition_key, clustering, regular or static */
  kind: string;
}

export interface PlannedColumn {
  name: string;
  field: Field;
  type: string;
}

export interface TablePlan {
  columns: PlannedColumn[];
  /** where a payload that is not UTF-8 goes: `payload` (a blob column), `payload_bytes`, or nowhere (refused) */
  binaryTo: 'payload' | 'payload_bytes' | undefined;
}

/** The table the default row is written to (create_table makes it; the page shows it). */
export function createTableCql(keyspace: string, table: string): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${quote(keyspace)}.${quote(table)} (`,
    '  id text PRIMARY KEY,',
    '  topic text,',
    '  payload text,',
    '  payload_bytes blob,',
    '  payload_binary boolean,',
    '  qos tinyint,',
    '  retain boolean,',
    '  "timestamp" timestamp,',
    '  properties text',
    ')',
  ].join('\n');
}

export function createKeyspaceCql(keyspace: string, replicationFactor: number, datacenter?: string): string {
  const replication = datacenter === undefined
    ? `{'class': 'SimpleStrategy', 'replication_factor': ${replicationFactor}}`
    : `{'class': 'NetworkTopologyStrategy', ${quoteString(datacenter)}: ${replicationFactor}}`;
  return `CREATE KEYSPACE IF NOT EXISTS ${quote(keyspace)} WITH replication = ${replication}`;
}

export const TABLE_COLUMNS_CQL = 'SELECT column_name, type, kind FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?';

/** Which of the table's columns take which value, or why the table cannot take the default row. */
export function planTable(table: readonly TableColumn[]): TablePlan | Refusal {
  const columns: PlannedColumn[] = [];
  const problems: string[] = [];
  for (const c of table) {
    const field = fieldOf(c.name);
    if (field === undefined) {
      if (c.kind === 'partition_key' || c.kind === 'clustering') problems.push(`its primary key column ${c.name} is none that Sluice fills (${FIELDS.join(', ')}, msgid, arrived)`);
      continue;
    }
    if (!COLUMN_TYPES[field].includes(c.type)) {
      problems.push(`column ${c.name} is ${c.type}, expected ${COLUMN_TYPES[field].join(' or ')}`);
      continue;
    }
    columns.push({ name: c.name, field, type: c.type });
  }
  const has = (f: Field): boolean => columns.some((c) => c.field === f);
  if (!has('id')) problems.push('it has no id (or msgid) column for the record id');
  if (!has('payload')) problems.push('it has no payload column');
  if (problems.length > 0) return { error: problems.join('; ') };
  const blobPayload = columns.some((c) => c.field === 'payload' && c.type === 'blob');
  return { columns, binaryTo: blobPayload ? 'payload' : has('payload_bytes') ? 'payload_bytes' : undefined };
}

export function insertCql(keyspace: string, table: string, columns: readonly PlannedColumn[]): string {
  return `INSERT INTO ${quote(keyspace)}.${quote(table)} (${columns.map((c) => quote(c.name)).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
}

// fatal: a payload that is not UTF-8 goes to payload_bytes; ignoreBOM: the text keeps every byte
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function payloadText(payload: Buffer): string | null {
  try {
    return strictUtf8.decode(payload);
  } catch {
    return null;
  }
}

/** One record's values in the plan's column order (`unset` where there is no value), or why the table cannot take it. */
export function rowValues<U>(record: SinkRecord, plan: TablePlan, unset: U): unknown[] | Refusal {
  const text = payloadText(record.payload);
  if (text === null && plan.binaryTo === undefined) return { error: 'payload is not UTF-8 text and the table has no payload_bytes blob column (nor a blob payload column) to hold its bytes' };
  return plan.columns.map((c) => value(c, record, text, unset));
}

function value<U>(c: PlannedColumn, record: SinkRecord, text: string | null, unset: U): unknown {
  switch (c.field) {
    case 'id':
      return record.id;
    case 'topic':
      return record.topic;
    case 'payload':
      if (c.type === 'blob') return record.payload;
      return text ?? unset;
    case 'payload_bytes':
      return text === null ? record.payload : unset;
    case 'payload_binary':
      return text === null;
    case 'qos':
      return record.qos;
    case 'retain':
      return record.retain;
    case 'timestamp':
      return c.type === 'timestamp' ? new Date(record.timestamp) : record.timestamp;
    case 'properties': {
      const p = propertiesToJson(record.properties);
      return p === undefined ? unset : JSON.stringify(p);
    }
  }
}

function fieldOf(column: string): Field | undefined {
  return (FIELDS as readonly string[]).includes(column) ? (column as Field) : ALIASES[column];
}

/** A CQL identifier, quoted (the names are validated or read from system_schema). */
export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
