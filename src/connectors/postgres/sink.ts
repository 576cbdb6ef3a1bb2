// The PostgreSQL sink. Default row: one INSERT … SELECT FROM unnest(…) per batch (see
// mapping.ts), keyed by the record id with ON CONFLICT DO NOTHING, so a redelivered batch adds
// no rows; a statement refused for its data fails the batch as permanent and the core bisects it
// down to the row. sql_template (and enable_batch_insert: false): one prepared INSERT per record,
// in order on one connection, each record's outcome its own.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { PostgresConfig } from '../../metadata/configs/postgres.js';
import { parseColumnList, quoteTable } from '../../metadata/sql-statement.js';
import { batchResult, mapBatch, type Refusal } from '../batch-mapping.js';
import { notStarted, SinkError, startFailure, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { defaultRow, lastPerKey, REQUIRED_COLUMNS } from '../sql/default-row.js';
import { writePerRecord } from '../sql/per-record.js';
import { compileTemplateStatement, type Statement, type TemplateStatement } from '../sql/template-statement.js';
import { describePgError, pgError, postgresErrorKind, sqlState } from './errors.js';
import { columnArrays, columnTypes, createTableSql, createUpsertIndexSql, insertSql, TABLE_COLUMNS_SQL, type ColumnType } from './mapping.js';

export function createPostgresSink(config: PostgresConfig, ctx: SinkContext): ConnectorSink {
  return new PostgresSink(config, ctx);
}

interface DefaultRowPlan {
  columns: ColumnType[];
  sql: string;
  name: string;
  /** the conflict key's positions in a row, with upsert */
  key?: number[];
}

class PostgresSink implements ConnectorSink {
  private pool?: pg.Pool;
  private started = false;
  private plan?: DefaultRowPlan;
  private template?: TemplateStatement;
  private templateName = '';
  /** host:port/database, for messages (never the password) */
  private readonly where: string;

  constructor(
    private readonly cfg: PostgresConfig,
    private readonly ctx: SinkContext,
  ) {
    this.where = `${cfg.host}:${cfg.port}/${cfg.database}`;
  }

  async validate(): Promise<void> {
    try {
      await this.prepare(false);
    } catch (e) {
      throw new Error(e instanceof Error ? e.message : String(e));
    } finally {
      await this.closePool();
    }
  }

  async init(): Promise<void> {
    try {
      await this.prepare(this.cfg.create_table);
    } catch (e) {
      await this.closePool();
      throw startFailure(e);
    }
    this.started = true;
    this.ctx.log('info', 'postgres sink ready', { server: this.where, table: this.cfg.table, mode: this.template ? 'sql_template' : this.batched ? 'batch insert' : 'insert per record' });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('postgres');
    if (records.length === 0) return { failed: [] };
    if (this.template) {
      const t = this.template;
      return this.perRecord(records, (r) => {
        const params = t.bind(r);
        return Array.isArray(params) ? { sql: t.sql, params } : params;
      }, this.templateName);
    }
    const plan = this.plan as DefaultRowPlan;
    const width = plan.columns.length;
    const cols = plan.columns.map((c) => c.column);
    if (!this.batched) return this.perRecord(records, (r) => rowStatement(defaultRow(r, cols, 'postgres'), plan.sql, width), plan.name);
    const batch = mapBatch(records, (r) => defaultRow(r, cols, 'postgres'), 'postgres');
    if (batch.items.length === 0) return batchResult(batch);
    const key = plan.key;
    const rows = key === undefined ? batch.items : lastPerKey(batch.items, (row) => JSON.stringify(key.map((k) => row[k]))).map((i) => batch.items[i] as unknown[]);
    try {
      await this.query(plan.name, plan.sql, columnArrays(rows, width));
    } catch (e) {
      throw pgError(e, `INSERT of ${rows.length} rows into ${this.cfg.table} failed`);
    }
    return batchResult(batch);
  }

  async cleanup(): Promise<void> {
    this.started = false;
    await this.closePool();
  }

  private get batched(): boolean {
    return this.cfg.enable_batch_insert ?? true;
  }

  /** Connects, creates the table when asked, and plans the statement from the table's columns. */
  private async prepare(create: boolean): Promise<void> {
    const pool = this.open();
    const client = await pool.connect().catch((e: unknown) => {
      throw SinkError.unavailable(`postgres: cannot connect to ${this.where} as ${this.cfg.username}: ${describePgError(e)}`);
    });
    try {
      if (this.cfg.sql_template !== undefined) {
        this.template = compileTemplateStatement(this.cfg.sql_template, 'postgres', this.cfg.enable_upsert ? { conflictColumns: this.cfg.conflict_columns as string } : undefined);
        this.templateName = statementName(this.template.sql);
        return;
      }
      if (create) {
        await this.run(client, createTableSql(this.cfg.table), `cannot create table ${this.cfg.table}`);
        if (this.cfg.enable_upsert) await this.run(client, createUpsertIndexSql(this.cfg.table, this.cfg.conflict_columns as string), `cannot create the upsert index on ${this.cfg.table}`);
      }
      const res = await client.query<{ name: string; type: string }>(TABLE_COLUMNS_SQL, [quoteTable(this.cfg.table, 'postgres')]).catch((e: unknown) => {
        throw pgError(e, `cannot read the columns of ${this.cfg.table}`);
      });
      if (res.rows.length === 0 && !create && this.cfg.create_table) return; // validate(): init() creates it
      if (res.rows.length === 0) throw SinkError.unavailable(`postgres: table ${this.cfg.table} does not exist in ${this.where}; create it (see the default row in the docs) or set create_table: true`);
      const columns = columnTypes(res.rows);
      const missing = REQUIRED_COLUMNS.filter((c) => !columns.some((t) => t.column === c));
      if (missing.length > 0) throw SinkError.unavailable(`postgres: table ${this.cfg.table} lacks the default row's column(s) ${missing.join(', ')}; it needs ${REQUIRED_COLUMNS.join(', ')} (and payload_bytes for payloads that are not text)`);
      const conflict = this.cfg.enable_upsert ? this.cfg.conflict_columns : undefined;
      const sql = insertSql(this.cfg.table, columns, conflict);
      const key = conflict === undefined ? undefined : parseColumnList(conflict).map((c) => columns.findIndex((t) => t.column === c.toLowerCase()));
      this.plan = { columns, sql, name: statementName(sql), key: key?.every((k) => k >= 0) ? key : undefined };
    } finally {
      client.release();
    }
  }

  private async run(client: pg.PoolClient, sql: string, what: string): Promise<void> {
    try {
      await client.query(sql);
    } catch (e) {
      // two connectors creating the same table at once: the loser's race is harmless
      if (sqlState(e) === '23505' || sqlState(e) === '42P07') return;
      throw SinkError.unavailable(`postgres: ${what} in ${this.where}: ${describePgError(e)}`);
    }
  }

  private async perRecord(records: SinkRecord[], build: (r: SinkRecord) => Statement | Refusal, name: string): Promise<BatchResult> {
    const client = await this.open().connect().catch((e: unknown) => {
      throw pgError(e, `cannot connect to ${this.where}`);
    });
    let broken: unknown;
    try {
      return await writePerRecord(records, build, async (s) => {
        try {
          await client.query({ name, text: s.sql, values: s.params });
        } catch (e) {
          if (postgresErrorKind(e) === 'unavailable') broken = e;
          throw e;
        }
      }, (e) => pgError(e, `INSERT into ${this.cfg.table} failed`), 'postgres');
    } finally {
      client.release(broken instanceof Error && sqlState(broken) === undefined ? broken : undefined);
    }
  }

  private async query(name: string, text: string, values: unknown[]): Promise<void> {
    await this.open().query({ name, text, values });
  }

  private open(): pg.Pool {
    if (this.pool) return this.pool;
    const c = this.cfg;
    const pool = new pg.Pool({
      host: c.host,
      port: c.port,
      database: c.database,
      user: c.username,
      password: c.password,
      application_name: `sluice/${this.ctx.connectorName}`.slice(0, 63),
      max: c.pool_size,
      min: c.min_pool_size,
      idleTimeoutMillis: c.idle_timeout_secs * 1000,
      maxLifetimeSeconds: c.max_lifetime_secs,
      connectionTimeoutMillis: c.connect_timeout_secs * 1000,
      statement_timeout: c.query_timeout_secs * 1000,
      query_timeout: c.query_timeout_secs * 1000 + 1000,
    });
    // an idle pooled connection that dies (server restart) is dropped by the pool; the next query reconnects
    pool.on('error', (e) => this.ctx.log('warn', 'postgres: an idle connection failed', { error: describePgError(e) }));
    this.pool = pool;
    return pool;
  }

  private async closePool(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    this.plan = undefined;
    this.template = undefined;
    await p?.end().catch(() => undefined);
  }
}

function rowStatement(row: unknown[] | Refusal, sql: string, width: number): Statement | Refusal {
  if (!Array.isArray(row)) return row;
  return { sql, params: columnArrays([row], width) };
}

/** A prepared statement's name, the same for the same text on every connection. */
function statementName(sql: string): string {
  return `sluice_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
}
