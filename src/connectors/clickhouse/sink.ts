// The ClickHouse sink: one `INSERT INTO db.table FORMAT JSONEachRow` per batch over the HTTP
// interface (see mapping.ts for the rows). Unknown fields are skipped and no parse error is
// tolerated (input_format_allow_errors_num = 0), so an INSERT is all or nothing: a record the
// mapping refuses fails alone, and a batch the server rejects for its data is bisected by the core.
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import type { ClickHouseConfig } from '../../metadata/configs/clickhouse.js';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { AUTH_ERROR_CODES, describeError, insertError, serverError } from './errors.js';
import {
  createRawTableSql, mapRecord, qualifiedTable, quoteString, rawColumnProblems, RAW_TABLE_SHAPE,
} from './mapping.js';

const INSERT_SETTINGS: ClickHouseSettings = {
  input_format_skip_unknown_fields: 1,
  input_format_allow_errors_num: '0',
  input_format_allow_errors_ratio: 0,
};

export function createClickHouseSink(config: ClickHouseConfig, ctx: SinkContext): ConnectorSink {
  return new ClickHouseSink(config, ctx);
}

class ClickHouseSink implements ConnectorSink {
  private client?: ClickHouseClient;
  private started = false;
  /** `db.table` as shown in messages */
  private readonly name: string;
  /** scheme://host:port, for messages (no credentials, database path or query string) */
  private readonly where: string;

  constructor(
    private readonly cfg: ClickHouseConfig,
    private readonly ctx: SinkContext,
  ) {
    this.name = `${cfg.database}.${cfg.table}`;
    this.where = displayUrl(cfg.url);
  }

  async validate(): Promise<void> {
    const c = this.open();
    const ping = await c.ping();
    if (!ping.success) throw new Error(`clickhouse: cannot reach ${this.where}: ${describeError(ping.error, this.timeoutMs)}`);
    const databases = await this.rows<{ name: string }>(`SELECT name FROM system.databases WHERE name = ${quoteString(this.cfg.database)}`);
    if (databases.length === 0) throw new Error(`clickhouse: database ${this.cfg.database} does not exist on ${this.where}`);
    const columns = await this.rows<{ name: string; type: string }>(
      `SELECT name, type FROM system.columns WHERE database = ${quoteString(this.cfg.database)} AND table = ${quoteString(this.cfg.table)}`,
    );
    if (columns.length === 0) {
      if (this.cfg.create_table) return; // init() creates it
      const hint = this.cfg.payload_format === 'raw'
        ? 'create it (see the raw mapping\'s table in the docs) or set create_table: true'
        : 'create it with a column for each payload field to store';
      throw new Error(`clickhouse: table ${this.name} does not exist on ${this.where}; ${hint}`);
    }
    const idColumn = this.cfg.id_column;
    if (idColumn !== undefined && !columns.some((c) => c.name === idColumn)) {
      throw new Error(`clickhouse: table ${this.name} has no column ${idColumn} (id_column): add it as a String column, or unset id_column`);
    }
    const problems = this.cfg.payload_format === 'raw' ? rawColumnProblems(columns, idColumn) : [];
    if (problems.length > 0) {
      throw new Error(`clickhouse: table ${this.name} does not fit payload_format raw: ${problems.join('; ')}. Expected columns: ${RAW_TABLE_SHAPE}`);
    }
  }

  async init(): Promise<void> {
    const c = this.open();
    if (this.cfg.create_table) {
      try {
        await c.command({ query: createRawTableSql(this.cfg.database, this.cfg.table, this.cfg.id_column) });
      } catch (e) {
        throw SinkError.unavailable(`clickhouse: cannot create table ${this.name} on ${this.where}: ${describeError(e, this.timeoutMs)}`);
      }
    }
    this.started = true;
    this.ctx.log('info', 'clickhouse sink ready', { url: this.where, table: this.name, payload_format: this.cfg.payload_format });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('clickhouse');
    const batch = mapBatch(records, (record) => {
      const mapped = mapRecord(record, this.cfg.payload_format, this.cfg.id_column);
      return 'row' in mapped ? mapped.row : mapped;
    }, 'clickhouse');
    const rows = batch.items;
    if (rows.length === 0) return batchResult(batch);
    try {
      await this.open().insert({
        table: qualifiedTable(this.cfg.database, this.cfg.table),
        // the whole body as one chunk (the client adds the last newline): an array is streamed
        // row by row, one chunked-encoding frame per row, which cost ~15 % per insert
        values: Readable.from([rows.join('\n')], { objectMode: true }),
        format: 'JSONEachRow',
        clickhouse_settings: INSERT_SETTINGS,
      });
    } catch (e) {
      throw insertError(e, this.name, this.timeoutMs);
    }
    return batchResult(batch);
  }

  async cleanup(): Promise<void> {
    this.started = false;
    const c = this.client;
    this.client = undefined;
    await c?.close();
  }

  private get timeoutMs(): number {
    return this.cfg.timeout_secs * 1000;
  }

  private open(): ClickHouseClient {
    if (this.client) return this.client;
    try {
      this.client = this.connect();
    } catch (e) {
      throw new Error(`clickhouse: url ${this.where}: ${describeError(e)}`);
    }
    return this.client;
  }

  private connect(): ClickHouseClient {
    return createClient({
      url: this.cfg.url,
      username: this.cfg.username,
      password: this.cfg.password,
      application: 'sluice',
      request_timeout: this.timeoutMs,
      max_open_connections: this.cfg.pool_size,
      compression: { request: this.cfg.compression, response: false },
      log: { level: ClickHouseLogLevel.OFF },
      // rows arrive as ready JSON text: pass them through instead of quoting them again
      json: { parse: JSON.parse, stringify: (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)) },
    });
  }

  /** A metadata query for validate(); refused credentials and other failures become one clear message. */
  private async rows<T>(query: string): Promise<T[]> {
    try {
      return await (await this.open().query({ query, format: 'JSONEachRow' })).json<T>();
    } catch (e) {
      const se = serverError(e);
      if (se && AUTH_ERROR_CODES.has(se.code)) {
        throw new Error(`clickhouse: ${this.where} refused user "${this.cfg.username}": ${describeError(e)}`);
      }
      throw new Error(`clickhouse: query on ${this.where} failed: ${describeError(e, this.timeoutMs)}`);
    }
  }
}

/** scheme://host[:port]: no user info, no query string (either may carry a secret). */
export function displayUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid url)';
  }
}
