// The statements of the default row. A batch is a few prepared multi-row INSERTs whose row counts
// are powers of two (5,000 rows = 4,096 + 512 + 256 + 128 + 8): every statement shape is prepared
// once per connection and reused, the 65,535 placeholders of a statement are never exceeded, and
// values stay statement parameters. Chunks of one batch run in one transaction.
import type { DefaultColumn } from '../sql/default-row.js';
import { upsertClause } from '../sql/template-statement.js';
import { parseColumnList, parseTableName, quoteIdentifier, quoteTable } from '../../metadata/sql-statement.js';

const MAX_PLACEHOLDERS = 65_535;

/** The table `create_table` makes: the default row, keyed by id. */
export function createTableSql(table: string): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${quoteTable(table, 'mysql')} (`,
    '  id VARCHAR(255) NOT NULL PRIMARY KEY,',
    '  topic TEXT NOT NULL,',
    '  payload LONGTEXT NULL,',
    '  payload_bytes LONGBLOB NULL,',
    '  payload_binary BOOLEAN NOT NULL DEFAULT FALSE,',
    '  payload_json JSON NULL,',
    '  qos TINYINT NOT NULL,',
    '  retain BOOLEAN NOT NULL,',
    '  `timestamp` DATETIME(3) NOT NULL,',
    '  properties JSON NULL',
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  ].join('\n');
}

/** With enable_upsert, a unique index on conflict_columns (MariaDB indexes TEXT columns by hash). */
export function createUpsertIndexSql(table: string, conflictColumns: string): string {
  const name = `${parseTableName(table).table}_upsert_key`.slice(0, 63);
  const cols = parseColumnList(conflictColumns).map((c) => quoteIdentifier(c, 'mysql')).join(', ');
  return `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdentifier(name, 'mysql')} ON ${quoteTable(table, 'mysql')} (${cols})`;
}

/** The table's column names: parameters are the schema (undefined: the connection's database) and the table. */
export const TABLE_COLUMNS_SQL = 'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION';

/** Most rows in one statement: a power of two whose placeholders fit. */
export function maxChunkRows(width: number): number {
  let n = 1;
  while (n * 2 * width <= MAX_PLACEHOLDERS && n < 8192) n *= 2;
  return n;
}

/** Row counts of the statements for a batch of `rows`: powers of two, largest first. */
export function chunkSizes(rows: number, maxRows: number): number[] {
  const out: number[] = [];
  let left = rows;
  while (left >= maxRows) {
    out.push(maxRows);
    left -= maxRows;
  }
  for (let p = maxRows / 2; p >= 1; p /= 2) {
    if (left >= p) {
      out.push(p);
      left -= p;
    }
  }
  return out;
}

/** INSERT of `rows` rows; a duplicate record id is a no-op (MySQL cannot name the key: any duplicate key is). */
export function insertSql(table: string, columns: readonly DefaultColumn[], rows: number, conflictColumns?: string): string {
  const names = columns.map((c) => quoteIdentifier(c, 'mysql'));
  const row = `(${columns.map(() => '?').join(', ')})`;
  const onDuplicate = conflictColumns === undefined ? 'ON DUPLICATE KEY UPDATE `id` = `id`' : upsertClause(columns, parseColumnList(conflictColumns), 'mysql');
  return `INSERT INTO ${quoteTable(table, 'mysql')} (${names.join(', ')}) VALUES ${new Array<string>(rows).fill(row).join(', ')} ${onDuplicate}`;
}
