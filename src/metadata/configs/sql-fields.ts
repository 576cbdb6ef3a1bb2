// The fields postgres and mysql share: RobustMQ's PostgresConnectorConfig / MySQLConnectorConfig
// are the same struct, so both schemas are built here, each with its own port and placeholders.
import Type from 'typebox';
import type { FieldError } from '../../errors.js';
import { Host, Password, PoolSize, Port, Template, TimeoutSecs } from '../schema-kit.js';
import { COLUMN_LIST_PATTERN, insertColumns, hasConflictClause, parseSqlTemplate, POSITIONAL_BINDS, TABLE_PATTERN, type SqlDialect } from '../sql-statement.js';

export function sqlFields(dialect: SqlDialect, defaultPort: number) {
  const positional = dialect === 'postgres' ? '`$1`..`$5`' : 'three `?`';
  return {
    host: Host({ examples: ['localhost'] }),
    port: Port({ default: defaultPort }),
    database: Type.String({ minLength: 1, maxLength: 256, description: 'Database name.', examples: ['mqtt_data'] }),
    username: Type.String({ minLength: 1, maxLength: 256, description: 'User name.', examples: [dialect === 'postgres' ? 'postgres' : 'root'] }),
    password: Password({ default: '' }),
    table: Type.String({
      minLength: 1, maxLength: 256, pattern: TABLE_PATTERN, 'x-rule': 'expected a table name or schema.table: letters, digits and _, not starting with a digit',
      description: `Target table${dialect === 'postgres' ? ' (`schema.table` allowed; folded to lower case, as PostgreSQL does with RobustMQ\'s unquoted names)' : ' (`database.table` allowed)'}.`,
      examples: ['mqtt_messages'],
    }),
    sql_template: Type.Optional(Template({
      maxLength: 4096,
      description: `One INSERT per record instead of the default row. Values are bound as statement parameters, never pasted into the text: named placeholders (\`\${topic}\`, \`\${payload.temp}\`, … see Templates), or RobustMQ's positional ${positional}, bound in RobustMQ's order (${POSITIONAL_BINDS[dialect].join(', ')}; see the page).`,
      examples: [dialect === 'postgres' ? 'INSERT INTO readings (device, temp, at) VALUES (${topic[1]}, ${payload.temp}, to_timestamp(${timestamp} / 1000.0))' : 'INSERT INTO readings (device, temp) VALUES (${topic[1]}, ${payload.temp})'],
    })),
    pool_size: PoolSize({ default: 10, maximum: 1000 }),
    enable_batch_insert: Type.Optional(Type.Boolean({ description: 'true: one multi-row INSERT per batch; false: one INSERT per record. Unset: true for the default row, false with sql_template (which runs once per record).' })),
    enable_upsert: Type.Boolean({ default: false, description: `On a conflict in conflict_columns, update the row's other columns (${dialect === 'postgres' ? 'ON CONFLICT … DO UPDATE' : 'ON DUPLICATE KEY UPDATE'}) instead of skipping the record.` }),
    conflict_columns: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, pattern: COLUMN_LIST_PATTERN, 'x-rule': 'expected column names separated by commas', description: `Columns of the unique key that upsert matches on, e.g. \`topic\` (required with enable_upsert).${dialect === 'mysql' ? ' MySQL matches any unique key; these columns are left out of the update.' : ''}`, examples: ['topic'] })),
    create_table: Type.Boolean({ default: false, description: 'Create the default row\'s table (and, with enable_upsert, a unique index on conflict_columns) if it does not exist.' }),
    connect_timeout_secs: TimeoutSecs({ default: 10, description: 'Connect timeout, in seconds.' }),
    acquire_timeout_secs: TimeoutSecs({ default: 30, description: `Accepted for RobustMQ compatibility, no effect: the ${dialect === 'postgres' ? 'pg' : 'mysql2'} pool has no separate wait for a free connection (connecting is bounded by connect_timeout_secs).` }),
    idle_timeout_secs: Type.Integer({ minimum: 0, maximum: 3600, default: 600, description: 'Pooled connections idle this long are closed, in seconds; 0: never.' }),
    max_lifetime_secs: Type.Integer({ minimum: 0, maximum: 7200, default: 1800, description: `Pooled connections older than this are closed when released, in seconds; 0: no limit.${dialect === 'mysql' ? ' Accepted, no effect: the mysql2 pool has no lifetime limit.' : ''}` }),
    min_pool_size: Type.Integer({ minimum: 0, maximum: 1000, default: 2, description: dialect === 'postgres' ? 'Connections the pool keeps open even when idle.' : 'Idle connections the pool keeps open (mysql2 maxIdle).' }),
    batch_size: Type.Integer({ minimum: 1, maximum: 10_000, default: 100, description: 'Accepted for RobustMQ compatibility, no effect: the batch handed to the sink is the connector\'s `delivery.batch_size`.' }),
    query_timeout_secs: TimeoutSecs({ default: 30, description: 'Longest wait for one statement\'s answer, in seconds (then the target counts as unavailable).' }),
  };
}

interface SqlConfigView {
  sql_template?: string;
  enable_batch_insert?: boolean;
  enable_upsert: boolean;
  conflict_columns?: string;
  create_table: boolean;
  pool_size: number;
  min_pool_size: number;
}

/** The rules across fields, RobustMQ's among them. */
export function sqlCheck(config: SqlConfigView, dialect: SqlDialect): FieldError[] {
  const errors: FieldError[] = [];
  if (config.enable_upsert && config.conflict_columns === undefined) errors.push({ path: 'conflict_columns', rule: 'is required when enable_upsert is true' });
  if (config.min_pool_size > config.pool_size) errors.push({ path: 'min_pool_size', rule: `must not be greater than pool_size (${config.pool_size})` });
  const source = config.sql_template;
  if (source !== undefined) {
    const parsed = parseSqlTemplate(source, dialect);
    if ('error' in parsed) errors.push({ path: 'sql_template', rule: parsed.error });
    if (config.enable_batch_insert === true) errors.push({ path: 'enable_batch_insert', rule: 'cannot be true with sql_template (a template runs once per record): unset one of them' });
    if (config.create_table) errors.push({ path: 'create_table', rule: 'only creates the default row\'s table: unset it with sql_template' });
    if (config.enable_upsert && !hasConflictClause(source, dialect) && insertColumns(source) === undefined) {
      errors.push({ path: 'sql_template', rule: `with enable_upsert must be INSERT INTO <table> (<columns>) VALUES (…) so the update clause can be added, or carry its own ${dialect === 'postgres' ? 'ON CONFLICT' : 'ON DUPLICATE KEY UPDATE'} clause` });
    }
  }
  return errors;
}
