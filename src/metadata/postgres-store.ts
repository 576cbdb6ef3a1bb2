// The shared definition store (SLUICE_STORE_URL=postgres://…): the same contract as the SQLite
// store — versioned migrations, revision checks, every write one transaction — plus a NOTIFY on
// every change, so that every Sluice process sharing the database applies it within a second.
// The fleet's heartbeats live in the same database (postgres-fleet.ts).
import pg from 'pg';
import { SluiceError } from '../errors.js';
import type { ConnectorDefinition, DefinitionContent } from './definition.js';
import { type DefinitionRow, fromRow, jsonColumns, SORT_COLUMNS } from './definition-row.js';
import { PostgresFleetBoard } from './postgres-fleet.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { PostgresListener } from './postgres-listener.js';
import { SecretSealer } from './secrets-at-rest.js';
import { maskText } from './secret-masking.js';
import type { ListQuery, ListResult, SharedDefinitionStore, StoreEvent } from './store.js';

export const NOTIFY_CHANNEL = 'sluice_definitions';

/** The SQLSTATE classes that are the server answering (not the connection failing). */
const SQL_ANSWER = /^(2[2-7]|4[02]|P0)/;

/** A failure to reach the database is 503 (the API says the store is unavailable), anything else as is. */
function storeError(e: unknown): Error {
  if (e instanceof SluiceError) return e;
  const code = (e as { code?: string }).code;
  if (typeof code === 'string' && SQL_ANSWER.test(code)) return e as Error;
  return new SluiceError('SERVICE_UNAVAILABLE', `the definition store (PostgreSQL) is unavailable: ${maskText((e as Error).message)}`);
}

/** PostgreSQL text cannot hold NUL: the description is kept as a JSON string, as the JSON columns are. */
interface PgRow extends Omit<DefinitionRow, 'revision'> {
  revision: number | string;
}

export interface PostgresStoreOptions {
  sealer?: SecretSealer;
  /** connections of the pool beside the one that listens */
  poolSize?: number;
  onListenError?: (message: string) => void;
}

export class PostgresDefinitionStore implements SharedDefinitionStore {
  readonly fleet: PostgresFleetBoard;
  private readonly sealer: SecretSealer;
  private readonly listener: PostgresListener;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    url: string,
    o: PostgresStoreOptions,
  ) {
    this.sealer = o.sealer ?? new SecretSealer({});
    this.fleet = new PostgresFleetBoard(pool, storeError);
    this.listener = new PostgresListener(url, NOTIFY_CHANNEL, o.onListenError);
  }

  /** Connects, applies the migrations (one process at a time) and starts listening for changes. */
  static async open(url: string, o: PostgresStoreOptions = {}): Promise<PostgresDefinitionStore> {
    const pool = new pg.Pool({ connectionString: url, max: o.poolSize ?? 4, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => undefined); // an idle client that breaks is dropped; the next query reconnects
    try {
      await migratePostgres(pool, 'definitions', POSTGRES_MIGRATIONS);
      const store = new PostgresDefinitionStore(pool, url, o);
      await store.listener.start();
      return store;
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw storeError(e);
    }
  }

  watch(listener: (event: StoreEvent) => void): void {
    this.listener.onMessage((payload) => {
      if (payload === undefined) return listener({ kind: 'resync' });
      try {
        const p = JSON.parse(payload) as { tenant?: unknown; name?: unknown };
        if (typeof p.tenant === 'string' && typeof p.name === 'string') return listener({ kind: 'changed', tenant: p.tenant, name: p.name });
      } catch {
        /* not ours: a full resync covers it */
      }
      listener({ kind: 'resync' });
    });
  }

  private read = (r: PgRow): ConnectorDefinition => fromRow({ ...r, description: JSON.parse(r.description) as string, revision: Number(r.revision) }, this.sealer);

  private async query<R extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, args)).rows;
    } catch (e) {
      throw storeError(e);
    }
  }

  /** Runs `work` in one transaction; the NOTIFY it queues is sent at commit. */
  private async transaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw storeError(e);
    }
    try {
      await client.query('BEGIN');
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw storeError(e);
    } finally {
      client.release();
    }
  }

  private static notify(c: pg.PoolClient, kind: string, tenant: string, name: string, revision: number): Promise<unknown> {
    return c.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ kind, tenant, name, revision })]);
  }

  /** Every stored secret under the current key (see SqliteDefinitionStore.sealAll); returns how many were rewritten. */
  async sealAll(): Promise<number> {
    return this.transaction(async (c) => {
      const rows = (await c.query<Pick<PgRow, 'tenant' | 'name' | 'type' | 'config'>>('SELECT tenant, name, type, config FROM sluice_connectors ORDER BY tenant, name FOR UPDATE')).rows;
      let n = 0;
      for (const r of rows) {
        const next = this.sealer.restored(r.type, JSON.parse(r.config) as Record<string, unknown>, `connector ${r.tenant}/${r.name}`);
        if (!next) continue;
        await c.query('UPDATE sluice_connectors SET config = $1 WHERE tenant = $2 AND name = $3', [JSON.stringify(next), r.tenant, r.name]);
        n++;
      }
      return n;
    });
  }

  async list(q: ListQuery): Promise<ListResult> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.tenant !== undefined) where.push(`tenant = $${args.push(q.tenant)}`);
    if (q.nameContains) where.push(`strpos(name, $${args.push(q.nameContains)}) > 0`);
    if (q.type) where.push(`type = $${args.push(q.type)}`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((await this.query<{ n: string }>(`SELECT COUNT(*) AS n FROM sluice_connectors ${clause}`, args))[0]?.n ?? 0);
    // byte order, as SQLite sorts text
    const order = `${SORT_COLUMNS[q.sortField]} COLLATE "C" ${q.sortDir === 'desc' ? 'DESC' : 'ASC'}, tenant COLLATE "C" ASC, name COLLATE "C" ASC`;
    const limit = args.push(q.limit);
    const offset = args.push((q.page - 1) * q.limit);
    const rows = await this.query<PgRow>(`SELECT * FROM sluice_connectors ${clause} ORDER BY ${order} LIMIT $${limit} OFFSET $${offset}`, args);
    return { items: rows.map(this.read), total };
  }

  async all(): Promise<ConnectorDefinition[]> {
    return (await this.query<PgRow>('SELECT * FROM sluice_connectors ORDER BY tenant COLLATE "C", name COLLATE "C"')).map(this.read);
  }

  async get(tenant: string, name: string): Promise<ConnectorDefinition | undefined> {
    const [row] = await this.query<PgRow>('SELECT * FROM sluice_connectors WHERE tenant = $1 AND name = $2', [tenant, name]);
    return row ? this.read(row) : undefined;
  }

  async create(c: DefinitionContent): Promise<ConnectorDefinition> {
    const now = new Date().toISOString();
    const def: ConnectorDefinition = { ...c, created_at: now, updated_at: now, revision: 1 };
    const j = jsonColumns(def, this.sealer);
    try {
      await this.transaction(async (client) => {
        await client.query(
          'INSERT INTO sluice_connectors (tenant, name, type, config, topic_filter, failure_strategy, delivery, transform, desired_state, description, created_at, updated_at, revision) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1)',
          [def.tenant, def.name, def.type, j.config, def.topic_filter, j.failure_strategy, j.delivery, j.transform, def.desired_state, JSON.stringify(def.description), now],
        );
        await client.query('DELETE FROM sluice_deleted_connectors WHERE tenant = $1 AND name = $2', [def.tenant, def.name]);
        await PostgresDefinitionStore.notify(client, 'created', def.tenant, def.name, 1);
      });
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new SluiceError('CONFLICT', `connector ${def.tenant}/${def.name} already exists`);
      throw e;
    }
    return def;
  }

  async update(c: DefinitionContent, expectedRevision?: number): Promise<ConnectorDefinition> {
    return this.transaction(async (client) => {
      const [row] = (await client.query<PgRow>('SELECT * FROM sluice_connectors WHERE tenant = $1 AND name = $2 FOR UPDATE', [c.tenant, c.name])).rows;
      if (!row) throw new SluiceError('NOT_FOUND', `connector ${c.tenant}/${c.name} does not exist`);
      const revision = Number(row.revision);
      if (expectedRevision !== undefined && revision !== expectedRevision) {
        throw new SluiceError('CONFLICT', `connector ${c.tenant}/${c.name} is at revision ${revision}, not ${expectedRevision}`);
      }
      const def: ConnectorDefinition = { ...c, created_at: row.created_at, updated_at: new Date().toISOString(), revision: revision + 1 };
      const j = jsonColumns(def, this.sealer);
      await client.query(
        'UPDATE sluice_connectors SET type = $1, config = $2, topic_filter = $3, failure_strategy = $4, delivery = $5, transform = $6, desired_state = $7, description = $8, updated_at = $9, revision = $10 WHERE tenant = $11 AND name = $12',
        [def.type, j.config, def.topic_filter, j.failure_strategy, j.delivery, j.transform, def.desired_state, JSON.stringify(def.description), def.updated_at, def.revision, def.tenant, def.name],
      );
      await PostgresDefinitionStore.notify(client, 'updated', def.tenant, def.name, def.revision);
      return def;
    });
  }

  /** Deletes the definition, leaves a tombstone (a process that was down then removes its journal on return) and the fleet's reports of it. */
  async delete(tenant: string, name: string): Promise<ConnectorDefinition | undefined> {
    return this.transaction(async (client) => {
      const [row] = (await client.query<PgRow>('DELETE FROM sluice_connectors WHERE tenant = $1 AND name = $2 RETURNING *', [tenant, name])).rows;
      if (!row) return undefined;
      await client.query(
        'INSERT INTO sluice_deleted_connectors (tenant, name, deleted_at) VALUES ($1, $2, now()) ON CONFLICT (tenant, name) DO UPDATE SET deleted_at = now()',
        [tenant, name],
      );
      await client.query('DELETE FROM sluice_instance_connectors WHERE tenant = $1 AND name = $2', [tenant, name]);
      await PostgresDefinitionStore.notify(client, 'deleted', tenant, name, Number(row.revision));
      return this.read(row);
    });
  }

  /** Whether (tenant, name) was deleted and not created again since. */
  async wasDeleted(tenant: string, name: string): Promise<boolean> {
    return (await this.query('SELECT 1 FROM sluice_deleted_connectors WHERE tenant = $1 AND name = $2', [tenant, name])).length > 0;
  }

  healthy(): boolean {
    return !this.closed && this.listener.connected;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener.stop();
    await this.pool.end().catch(() => undefined);
  }
}
