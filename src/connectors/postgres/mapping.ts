// The statements of the default row. A batch is one INSERT … SELECT FROM unnest($1::type[], …):
// one array parameter per column, whatever the batch size (a multi-row VALUES list would need a
// parameter per value and hit the protocol's 65,535), each cast to the column's own type.
import { DEFAULT_COLUMNS, type DefaultColumn } from '../sql/default-row.js';
import { upsertClause } from '../sql/template-statement.js';
import { parseColumnList, parseTableName, quoteIdentifier, quoteTable } from '../../metadata/sql-statement.js';

/** The table `create_table` makes: the default row, keyed by id. */
export function createTableSql(table: string): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${quoteTable(table, 'postgres')} (`,
    '  id text PRIMARY KEY,',
    '  topic text NOT NULL,',
    '  payload text,',
    '  payload_bytes bytea,',
    '  payload_binary boolean NOT NULL DEFAULT false,',
    '  payload_json jsonb,',
    '  qos smallint NOT NULL,',
    '  retain boolean NOT NULL,',
    '  "timestamp" timestamptz(3) NOT NULL,',
    '  properties jsonb',
    ')',
  ].join('\n');
}

/** With enable_upsert, the unique index ON CONFLICT needs on conflict_columns. */
export function createUpsertIndexSql(table: string, conflictColumns: string): string {
  const name = `${parseTableName(table).table.toLowerCase()}_upsert_key`.slice(0, 63);
  const cols = parseColumnList(conflictColumns).map((c) => quoteIdentifier(c, 'postgres')).join(', ');
  return `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdentifier(name, 'postgres')} ON ${quoteTable(table, 'postgres')} (${cols})`;
}

/** The table's columns with their types (`format_type`), for the unnest casts. */
export const TABLE_COLUMNS_SQL =
  'SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum';

export interface ColumnType {
  column: DefaultColumn;
  /** the SQL type as PostgreSQL prints it, e.g. `timestamp(3) with time zone` */
  type: string;
}

/** Which default-row columns the table has, with their types, in DEFAULT_COLUMNS order. */
export function columnTypes(table: readonly { name: string; type: string }[]): ColumnType[] {
  const types = new Map(table.map((c) => [c.name, c.type]));
  return DEFAULT_COLUMNS.filter((c) => types.has(c)).map((c) => ({ column: c, type: types.get(c) as string }));
}

/** One statement for any number of rows: parameter i is the array of column i's values. */
export function insertSql(table: string, columns: readonly ColumnType[], conflictColumns?: string): string {
  const names = columns.map((c) => quoteIdentifier(c.column, 'postgres'));
  const arrays = columns.map((c, i) => `$${i + 1}::${c.type}[]`);
  const onConflict = conflictColumns === undefined
    ? 'ON CONFLICT ("id") DO NOTHING'
    : upsertClause(columns.map((c) => c.column), parseColumnList(conflictColumns), 'postgres');
  return `INSERT INTO ${quoteTable(table, 'postgres')} (${names.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) ${onConflict}`;
}

/** Rows (values in column order) as one array per column. */
export function columnArrays(rows: readonly unknown[][], width: number): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => new Array<unknown>(rows.length));
  rows.forEach((row, r) => {
    for (let c = 0; c < width; c++) (out[c] as unknown[])[r] = row[c];
  });
  return out;
}
