// The Cassandra sink: one driver client (a pooled session over the cluster); at init the table's
// columns are read from system_schema and the INSERT is planned from them (mapping.ts). A batch
// is one INSERT per record, at most `concurrency` in flight, and each statement's answer
// is its record's outcome. The first failure that says the target cannot take anything stops new
// statements; those not sent fail with it, and a batch of which nothing was written fails whole.
// A redelivered record overwrites its own row (the record id is the key): nothing is duplicated.
import cassandra from 'cassandra-driver';
import { type CassandraConfig, type CassandraConsistency, parseNode } from '../../metadata/configs/cassandra.js';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, startFailure, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { ClosablePolicy } from './closable-policy.js';
import { cassandraError, cassandraErrorKind, describeCassandraError, hintFor } from './errors.js';
import { createKeyspaceCql, createTableCql, insertCql, planTable, rowValues, TABLE_COLUMNS_CQL, type TableColumn, type TablePlan } from './mapping.js';

const { policies, types } = cassandra;

export function createCassandraSink(config: CassandraConfig, ctx: SinkContext): ConnectorSink {
  return new CassandraSink(config, ctx);
}

const CONSISTENCY: Readonly<Record<CassandraConsistency, number>> = {
  any: types.consistencies.any,
  one: types.consistencies.one,
  two: types.consistencies.two,
  three: types.consistencies.three,
  quorum: types.consistencies.quorum,
  all: types.consistencies.all,
  local_quorum: types.consistencies.localQuorum,
  each_quorum: types.consistencies.eachQuorum,
  local_one: types.consistencies.localOne,
};

interface Plan {
  plan: TablePlan;
  cql: string;
}

class CassandraSink implements ConnectorSink {
  private client?: cassandra.Client;
  private policy?: ClosablePolicy;
  private started = false;
  private plan?: Plan;
  private readonly keyspace: string;
  private readonly table: string;
  /** nodes and keyspace.table, for messages (never the password) */
  private readonly where: string;

  constructor(
    private readonly cfg: CassandraConfig,
    private readonly ctx: SinkContext,
  ) {
    this.keyspace = cfg.keyspace.toLowerCase();
    this.table = cfg.table.toLowerCase();
    this.where = `${this.contactPoints().join(',')} table ${this.keyspace}.${this.table}`;
  }

  async validate(): Promise<void> {
    try {
      await this.prepare(false);
    } catch (e) {
      throw new Error(e instanceof Error ? e.message : String(e));
    } finally {
      await this.close();
    }
  }

  async init(): Promise<void> {
    if (this.started) return;
    try {
      await this.prepare(this.cfg.create_table);
    } catch (e) {
      await this.close();
      throw startFailure(e);
    }
    this.started = true;
    this.ctx.log('info', 'cassandra sink ready', { target: this.where, columns: this.plan?.plan.columns.map((c) => c.name).join(',') });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started || !this.client || !this.plan) throw notStarted('cassandra');
    const { plan, cql } = this.plan;
    const batch = mapBatch(records, (r) => rowValues(r, plan, types.unset), 'cassandra');
    if (batch.items.length === 0) return batchResult(batch);
    return batchResult(batch, await this.insertAll(this.client, cql, batch.items));
  }

  async cleanup(): Promise<void> {
    this.started = false;
    await this.close();
  }

  /** Every row's INSERT, `concurrency` at a time; the failures by row index. */
  private async insertAll(client: cassandra.Client, cql: string, rows: readonly unknown[][]): Promise<BatchResult['failed']> {
    // prepared once per node (the driver keeps the id and prepares again on a node that answers
    // UNPREPARED, e.g. after its restart); the bound values are typed by the prepared metadata
    const options: cassandra.QueryOptions = { prepare: true, consistency: CONSISTENCY[this.cfg.consistency] };
    const errors = new Map<number, unknown>();
    let next = 0;
    let halt: unknown;
    const worker = async (): Promise<void> => {
      while (halt === undefined && next < rows.length) {
        const i = next++;
        try {
          await client.execute(cql, rows[i], options);
        } catch (e) {
          errors.set(i, e);
          if (cassandraErrorKind(e) === 'unavailable') halt ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.cfg.concurrency, rows.length) }, worker));
    if (halt !== undefined && errors.size === next) {
      // nothing was written: the target, not a record, is the problem
      throw SinkError.unavailable(cassandraError(halt, `INSERT into ${this.where} failed`).message);
    }
    const failed: BatchResult['failed'] = [...errors].map(([index, e]) => ({ index, error: cassandraError(e, `INSERT into ${this.where} failed`) }));
    for (let index = next; index < rows.length; index++) {
      failed.push({ index, error: SinkError.unavailable(`cassandra: not sent to ${this.where}: an earlier INSERT of the batch failed: ${describeCassandraError(halt)}`) });
    }
    return failed.sort((a, b) => a.index - b.index);
  }

  /** Connects, creates the keyspace and table when asked, and plans the INSERT from the table's columns. */
  private async prepare(create: boolean): Promise<void> {
    const client = this.open();
    await client.connect().catch((e: unknown) => {
      throw SinkError.unavailable(`cassandra: cannot connect to ${this.contactPoints().join(',')}${this.cfg.username ? ` as ${this.cfg.username}` : ''}: ${describeCassandraError(e)}${hintFor(e)}`);
    });
    if (create) {
      await this.run(client, createKeyspaceCql(this.keyspace, this.cfg.replication_factor, this.cfg.local_datacenter), `cannot create keyspace ${this.keyspace}`);
      await this.run(client, createTableCql(this.keyspace, this.table), `cannot create table ${this.keyspace}.${this.table}`);
    }
    const res = await client.execute(TABLE_COLUMNS_CQL, [this.keyspace, this.table], { prepare: false }).catch((e: unknown) => {
      throw SinkError.unavailable(`cassandra: cannot read the columns of ${this.keyspace}.${this.table}: ${describeCassandraError(e)}${hintFor(e)}`);
    });
    const columns: TableColumn[] = res.rows.map((r) => ({ name: String(r.get('column_name')), type: String(r.get('type')), kind: String(r.get('kind')) }));
    if (columns.length === 0 && !create && this.cfg.create_table) return; // validate(): init() creates it
    if (columns.length === 0) throw SinkError.unavailable(`cassandra: table ${this.keyspace}.${this.table} does not exist on ${this.contactPoints().join(',')}; create it (see the default table in the docs) or set create_table: true`);
    const plan = planTable(columns);
    if ('error' in plan) throw SinkError.unavailable(`cassandra: table ${this.keyspace}.${this.table} cannot take the default row: ${plan.error}`);
    this.plan = { plan, cql: insertCql(this.keyspace, this.table, plan.columns) };
  }

  private async run(client: cassandra.Client, cql: string, what: string): Promise<void> {
    try {
      await client.execute(cql);
    } catch (e) {
      throw SinkError.unavailable(`cassandra: ${what} on ${this.contactPoints().join(',')}: ${describeCassandraError(e)}${hintFor(e)}`);
    }
  }

  private contactPoints(): string[] {
    return this.cfg.nodes.map((n) => {
      const { host, port } = parseNode(n, this.cfg.port);
      return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    });
  }

  private open(): cassandra.Client {
    if (this.client) return this.client;
    const c = this.cfg;
    const ms = c.timeout_secs * 1000;
    const dc = c.local_datacenter;
    this.client = new cassandra.Client({
      contactPoints: this.contactPoints(),
      localDataCenter: dc,
      protocolOptions: { port: c.port },
      credentials: c.username === '' ? undefined : { username: c.username, password: c.password },
      applicationName: `sluice/${this.ctx.connectorName}`,
      socketOptions: { connectTimeout: ms, readTimeout: ms },
      policies: {
        loadBalancing: (this.policy = new ClosablePolicy(dc)),
        // a node back from a restart is used again within seconds (the driver's default waits up to 10 minutes)
        reconnection: new policies.reconnection.ExponentialReconnectionPolicy(500, 7_000, false),
      },
      queryOptions: { consistency: CONSISTENCY[c.consistency], prepare: true },
    });
    return this.client;
  }

  private async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.plan = undefined;
    const policy = this.policy;
    this.policy = undefined;
    policy?.close();
    await client?.shutdown().catch(() => undefined);
    policy?.release();
  }
}
