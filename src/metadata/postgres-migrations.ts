// The PostgreSQL store's schema, versioned like the SQLite one: each migration applied once, in
// order, recorded in sluice_schema_migrations. Processes starting together take an advisory lock,
// so exactly one applies a new migration and the others see it applied.
import type pg from 'pg';

export const POSTGRES_MIGRATIONS: readonly string[] = [
  // the definitions: the JSON columns and the description hold JSON text (PostgreSQL text cannot
  // hold NUL, JSON escapes it); timestamps are ISO text, as in SQLite, so both sort alike
  `CREATE TABLE sluice_connectors (
     tenant TEXT NOT NULL,
     name TEXT NOT NULL,
     type TEXT NOT NULL,
     config TEXT NOT NULL,
     topic_filter TEXT NOT NULL,
     failure_strategy TEXT NOT NULL,
     delivery TEXT NOT NULL,
     transform TEXT,
     desired_state TEXT NOT NULL,
     description TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     revision INTEGER NOT NULL,
     PRIMARY KEY (tenant, name)
   )`,
  // tombstones: a process that was down when a connector was deleted removes its journal on return
  `CREATE TABLE sluice_deleted_connectors (
     tenant TEXT NOT NULL,
     name TEXT NOT NULL,
     deleted_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (tenant, name)
   )`,
  // the fleet: one row per process (its heartbeat, in the database's clock) and its last report of
  // each connector it runs (the status as JSON)
  `CREATE TABLE sluice_instances (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     started_at TIMESTAMPTZ NOT NULL,
     heartbeat_at TIMESTAMPTZ NOT NULL
   );
   CREATE TABLE sluice_instance_connectors (
     instance_id TEXT NOT NULL REFERENCES sluice_instances (id) ON DELETE CASCADE,
     tenant TEXT NOT NULL,
     name TEXT NOT NULL,
     status TEXT NOT NULL,
     reported_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (instance_id, tenant, name)
   );
   CREATE INDEX sluice_instance_connectors_by_connector ON sluice_instance_connectors (tenant, name)`,
];

const LOCK_KEY = 0x51_75_1c_e0; // any constant: the migrations of every Sluice process take the same one

/** Applies the migrations of `component` that the database has not seen yet, in one transaction. */
export async function migratePostgres(pool: pg.Pool, component: string, migrations: readonly string[]): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await c.query('CREATE TABLE IF NOT EXISTS sluice_schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (component, version))');
    const applied = Number((await c.query<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM sluice_schema_migrations WHERE component = $1', [component])).rows[0]?.v ?? 0);
    for (const [i, sql] of migrations.entries()) {
      const version = i + 1;
      if (version <= applied) continue;
      await c.query(sql);
      await c.query('INSERT INTO sluice_schema_migrations (component, version, applied_at) VALUES ($1, $2, now())', [component, version]);
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
