// The MySQL / MariaDB sink. Default row: multi-row prepared INSERTs per batch (see mapping.ts),
// keyed by the record id with ON DUPLICATE KEY UPDATE id = id, so a redelivered batch adds no
// rows; a batch the server refuses for its data fails as permanent and the core bisects it down
// to the row. sql_template (and enable_batch_insert: false): one prepared INSERT per record, in
// order on one connection, each record's outcome its own.
import mysql from 'mysql2/promise';
import type { MysqlConfig } from '../../metadata/configs/mysql.js';
import { parseColumnList, parseTableName } from '../../metadata/sql-statement.js';
import { batchResult, mapBatch, type Refusal } from '../batch-mapping.js';
import { notStarted, SinkError, startFailure, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { defaultRow, lastPerKey, REQUIRED_COLUMNS, rowColumns, type DefaultColumn } from '../sql/default-row.js';
import { writePerRecord } from '../sql/per-record.js';
import { compileTemplateStatement, type Statement, type TemplateStatement } from '../sql/template-statement.js';
import { describeMysqlError, mysqlError, serverErrno } from './errors.js';
import { chunkSizes, createTableSql, createUpsertIndexSql, insertSql, maxChunkRows, TABLE_COLUMNS_SQL } from './mapping.js';

export function createMysqlSink(config: MysqlConfig, ctx: SinkContext): ConnectorSink {
  return new MysqlSink(config, ctx);
}

interface DefaultRowPlan {
  columns: DefaultColumn[];
  maxRows: number;
  /** statements by row count */
  sql: Map<number, string>;
  key?: number[];
}

class MysqlSink implements ConnectorSink {
  private pool?: mysql.Pool;
  private started = false;
  private plan?: DefaultRowPlan;
  private template?: TemplateStatement;
  /** host:port/database, for messages (never the password) */
  private readonly where: string;

  constructor(
    private readonly cfg: MysqlConfig,
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
    this.ctx.log('info', 'mysql sink ready', { server: this.where, table: this.cfg.table, mode: this.template ? 'sql_template' : this.batched ? 'batch insert' : 'insert per record' });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('mysql');
    if (records.length === 0) return { failed: [] };
    if (this.template) {
      const t = this.template;
      return this.perRecord(records, (r) => {
        const params = t.bind(r);
        return Array.isArray(params) ? { sql: t.sql, params } : params;
      });
    }
    const plan = this.plan as DefaultRowPlan;
    if (!this.batched) {
      return this.perRecord(records, (r) => {
        const row = defaultRow(r, plan.columns, 'mysql');
        return Array.isArray(row) ? { sql: this.statement(plan, 1), params: row } : row;
      });
    }
    const batch = mapBatch(records, (r) => defaultRow(r, plan.columns, 'mysql'), 'mysql');
    if (batch.items.length === 0) return batchResult(batch);
    const key = plan.key;
    const rows = key === undefined ? batch.items : lastPerKey(batch.items, (row) => JSON.stringify(key.map((k) => row[k]))).map((i) => batch.items[i] as unknown[]);
    await this.insertRows(plan, rows);
    return batchResult(batch);
  }

  async cleanup(): Promise<void> {
    this.started = false;
    await this.closePool();
  }

  private get batched(): boolean {
    return this.cfg.enable_batch_insert ?? true;
  }

  private get timeoutMs(): number {
    return this.cfg.query_timeout_secs * 1000;
  }

  /** The chunks of one batch, in one transaction when there is more than one. */
  private async insertRows(plan: DefaultRowPlan, rows: unknown[][]): Promise<void> {
    const sizes = chunkSizes(rows.length, plan.maxRows);
    const conn = await this.connection();
    let broken = false;
    try {
      if (sizes.length > 1) await conn.beginTransaction();
      let at = 0;
      for (const n of sizes) {
        const params = rows.slice(at, at + n).flat();
        at += n;
        await conn.execute({ sql: this.statement(plan, n), timeout: this.timeoutMs }, params as mysql.ExecuteValues[]);
      }
      if (sizes.length > 1) await conn.commit();
    } catch (e) {
      broken = serverErrno(e) === undefined;
      if (!broken && sizes.length > 1) await conn.rollback().catch(() => (broken = true));
      throw mysqlError(e, `INSERT of ${rows.length} rows into ${this.cfg.table} failed`);
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  private statement(plan: DefaultRowPlan, rows: number): string {
    let sql = plan.sql.get(rows);
    if (sql === undefined) {
      sql = insertSql(this.cfg.table, plan.columns, rows, this.cfg.enable_upsert ? this.cfg.conflict_columns : undefined);
      plan.sql.set(rows, sql);
    }
    return sql;
  }

  private async perRecord(records: SinkRecord[], build: (r: SinkRecord) => Statement | Refusal): Promise<BatchResult> {
    const conn = await this.connection();
    let broken = false;
    try {
      return await writePerRecord(records, build, async (s) => {
        try {
          await conn.execute({ sql: s.sql, timeout: this.timeoutMs }, s.params as mysql.ExecuteValues[]);
        } catch (e) {
          if (serverErrno(e) === undefined) broken = true;
          throw e;
        }
      }, (e) => mysqlError(e, `INSERT into ${this.cfg.table} failed`), 'mysql');
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  private async connection(): Promise<mysql.PoolConnection> {
    try {
      return await this.open().getConnection();
    } catch (e) {
      throw mysqlError(e, `cannot connect to ${this.where} as ${this.cfg.username}`);
    }
  }

  /** Connects, creates the table when asked, and plans the statements from the table's columns. */
  private async prepare(create: boolean): Promise<void> {
    const conn = await this.connection().catch((e: unknown) => {
      throw SinkError.unavailable(e instanceof Error ? e.message : String(e));
    });
    try {
      if (this.cfg.sql_template !== undefined) {
        this.template = compileTemplateStatement(this.cfg.sql_template, 'mysql', this.cfg.enable_upsert ? { conflictColumns: this.cfg.conflict_columns as string } : undefined);
        return;
      }
      const run = async (sql: string, what: string): Promise<void> => {
        try {
          await conn.query(sql);
        } catch (e) {
          throw SinkError.unavailable(`mysql: ${what} in ${this.where}: ${describeMysqlError(e)}`);
        }
      };
      if (create) {
        await run(createTableSql(this.cfg.table), `cannot create table ${this.cfg.table}`);
        if (this.cfg.enable_upsert) await run(createUpsertIndexSql(this.cfg.table, this.cfg.conflict_columns as string), `cannot create the upsert index on ${this.cfg.table}`);
      }
      const t = parseTableName(this.cfg.table);
      let names: string[];
      try {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(TABLE_COLUMNS_SQL, [t.schema ?? null, t.table]);
        names = rows.map((r) => String(r.name));
      } catch (e) {
        throw mysqlError(e, `cannot read the columns of ${this.cfg.table}`);
      }
      if (names.length === 0 && !create && this.cfg.create_table) return; // validate(): init() creates it
      if (names.length === 0) throw SinkError.unavailable(`mysql: table ${this.cfg.table} does not exist in ${this.where}; create it (see the default row in the docs) or set create_table: true`);
      const cols = rowColumns(names);
      if ('missing' in cols) throw SinkError.unavailable(`mysql: table ${this.cfg.table} lacks the default row's column(s) ${cols.missing.join(', ')}; it needs ${REQUIRED_COLUMNS.join(', ')} (and payload_bytes for payloads that are not text)`);
      const conflict = this.cfg.enable_upsert ? this.cfg.conflict_columns : undefined;
      const key = conflict === undefined ? undefined : parseColumnList(conflict).map((c) => cols.columns.indexOf(c.toLowerCase() as DefaultColumn));
      this.plan = { columns: cols.columns, maxRows: maxChunkRows(cols.columns.length), sql: new Map(), key: key?.every((k) => k >= 0) ? key : undefined };
    } finally {
      conn.release();
    }
  }

  private open(): mysql.Pool {
    if (this.pool) return this.pool;
    const c = this.cfg;
    this.pool = mysql.createPool({
      host: c.host,
      port: c.port,
      database: c.database,
      user: c.username,
      password: c.password,
      charset: 'utf8mb4',
      timezone: 'Z',
      connectionLimit: c.pool_size,
      maxIdle: c.min_pool_size,
      idleTimeout: c.idle_timeout_secs === 0 ? 2_147_483_647 : c.idle_timeout_secs * 1000,
      connectTimeout: c.connect_timeout_secs * 1000,
      enableKeepAlive: true,
      // statement shapes per connection: the power-of-two batch chunks plus templates
      maxPreparedStatements: 64,
      supportBigNumbers: true,
    });
    return this.pool;
  }

  private async closePool(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    this.plan = undefined;
    this.template = undefined;
    await p?.end().catch(() => undefined);
  }
}
