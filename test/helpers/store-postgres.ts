// The harness's PostgreSQL as the shared definition store: one server per test file, a fresh
// database per store (CREATE DATABASE is cheap), URLs as SLUICE_STORE_URL takes them.
import pg from 'pg';
import { startService, type RunningService } from '../harness/services.js';
import { PostgresDefinitionStore, type PostgresStoreOptions } from '../../src/metadata/postgres-store.js';

export interface StorePostgres {
  svc: RunningService;
  /** the URL of database `db` */
  url(db: string): string;
  admin: pg.Pool;
  stop(): Promise<void>;
}

export async function startStorePostgres(): Promise<StorePostgres> {
  const svc = await startService('postgres');
  const e = svc.env;
  const url = (db: string) => `postgres://${e.SLUICE_TEST_POSTGRES_USER}:${encodeURIComponent(e.SLUICE_TEST_POSTGRES_PASSWORD ?? '')}@${e.SLUICE_TEST_POSTGRES_HOST}:${e.SLUICE_TEST_POSTGRES_PORT}/${db}`;
  const admin = new pg.Pool({ connectionString: url('postgres'), max: 2 });
  admin.on('error', () => undefined);
  return {
    svc,
    url,
    admin,
    async stop() {
      await admin.end().catch(() => undefined);
      await svc.stop();
    },
  };
}

let n = 0;

/** A new empty database and a store opened on it. */
export async function freshPostgresDatabase(p: StorePostgres, o: PostgresStoreOptions = {}): Promise<{ url: string; store: PostgresDefinitionStore }> {
  const db = `sluice_${process.pid}_${++n}`;
  await p.admin.query(`CREATE DATABASE ${db}`);
  const url = p.url(db);
  return { url, store: await PostgresDefinitionStore.open(url, o) };
}

/** A new empty database, for processes to open themselves. */
export async function freshPostgresUrl(p: StorePostgres): Promise<string> {
  const db = `sluice_${process.pid}_${++n}`;
  await p.admin.query(`CREATE DATABASE ${db}`);
  return p.url(db);
}
