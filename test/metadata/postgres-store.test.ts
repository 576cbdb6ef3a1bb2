// What only the shared PostgreSQL store does (the contract both stores keep is store.test.ts):
// NOTIFY reaches every other process's store, processes starting together migrate once, a
// database that cannot be reached is a 503 naming the store with the password masked, the feed
// reconnects after a server restart and says resync, deletions leave tombstones, and the fleet
// board's heartbeats and liveness.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SluiceError } from '../../src/errors.js';
import { buildDefinition, type DefinitionContent } from '../../src/metadata/definition.js';
import { PostgresDefinitionStore } from '../../src/metadata/postgres-store.js';
import type { StoreEvent } from '../../src/metadata/store.js';
import { freshPostgresDatabase, freshPostgresUrl, startStorePostgres, type StorePostgres } from '../helpers/store-postgres.js';
import { waitFor } from '../helpers/runtime.js';

let pg: StorePostgres;
before(async () => {
  pg = await startStorePostgres();
});
after(() => pg.stop());

const content = (name: string, extra: Record<string, unknown> = {}): DefinitionContent =>
  buildDefinition({ name, type: 'file', topic_filter: `t/${name}`, config: { local_file_path: `/tmp/${name}.jsonl` }, ...extra });

test('every change by one store reaches another store on the same database within a second', async (t) => {
  const { url, store: a } = await freshPostgresDatabase(pg);
  const b = await PostgresDefinitionStore.open(url);
  t.after(async () => {
    await a.close();
    await b.close();
  });
  const seen: StoreEvent[] = [];
  b.watch((e) => seen.push(e));
  const started = Date.now();
  await a.create(content('x'));
  await a.update(content('x', { description: 'two' }));
  await a.delete('default', 'x');
  await waitFor('three notifications', () => seen.length >= 3, { timeoutMs: 5000, intervalMs: 10 });
  t.diagnostic(`three changes seen in ${Date.now() - started} ms (the feed is a NOTIFY at commit, not a poll)`);
  assert.deepEqual(seen, [0, 1, 2].map(() => ({ kind: 'changed', tenant: 'default', name: 'x' })));
  assert.equal(await b.wasDeleted('default', 'x'), true, 'a deletion leaves a tombstone');
  await b.create(content('x'));
  assert.equal(await a.wasDeleted('default', 'x'), false, 'created again: no longer deleted');
});

test('processes opening a new database at once apply each migration exactly once', async () => {
  const url = await freshPostgresUrl(pg);
  const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresDefinitionStore.open(url)));
  try {
    await stores[0]?.create(content('a'));
    for (const s of stores) assert.equal((await s.get('default', 'a'))?.name, 'a');
    const raw = new (await import('pg')).default.Client({ connectionString: url });
    await raw.connect();
    const rows = (await raw.query<{ version: number }>("SELECT version FROM sluice_schema_migrations WHERE component = 'definitions' ORDER BY version")).rows;
    await raw.end();
    assert.deepEqual(rows.map((r) => r.version), [1, 2, 3]);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('a database that cannot be reached is SERVICE_UNAVAILABLE, naming the store, the password masked', async () => {
  const url = pg.url('postgres').replace(/:\d+\//, ':1/');
  await assert.rejects(PostgresDefinitionStore.open(url), (e: unknown) => {
    assert.ok(e instanceof SluiceError && e.code === 'SERVICE_UNAVAILABLE', String(e));
    assert.match(e.message, /definition store \(PostgreSQL\) is unavailable/);
    assert.doesNotMatch(e.message, /sluice-test-password/);
    return true;
  });
});

test('secrets are sealed at rest with SLUICE_SECRET_KEY, as in SQLite', async (t) => {
  const { SecretSealer, secretKeysFromEnv } = await import('../../src/metadata/secrets-at-rest.js');
  const sealer = new SecretSealer(secretKeysFromEnv({ SLUICE_SECRET_KEY: 'a'.repeat(64) }));
  const { url, store } = await freshPostgresDatabase(pg, { sealer });
  t.after(() => store.close());
  await store.create(buildDefinition({ name: 'hook', type: 'webhook', topic_filter: 'a', config: { url: 'http://x', bearer_token: 'very-secret' } }));
  const raw = new (await import('pg')).default.Pool({ connectionString: url, max: 1 });
  t.after(() => raw.end());
  const stored = (await raw.query<{ config: string }>('SELECT config FROM sluice_connectors')).rows[0]?.config ?? '';
  assert.doesNotMatch(stored, /very-secret/);
  assert.match(stored, /sluice:enc:v1:/);
  assert.equal((await store.get('default', 'hook'))?.config.bearer_token, 'very-secret');
});

test('the change feed reconnects after the server restarts, says resync, and then delivers again', { timeout: 120_000 }, async (t) => {
  const { url, store: a } = await freshPostgresDatabase(pg);
  const b = await PostgresDefinitionStore.open(url);
  t.after(async () => {
    await a.close();
    await b.close();
  });
  const seen: StoreEvent[] = [];
  b.watch((e) => seen.push(e));
  assert.ok(pg.svc.restart, 'the harness can restart postgres');
  await pg.svc.restart();
  await waitFor('resync after the restart', () => seen.some((e) => e.kind === 'resync'), { timeoutMs: 60_000 });
  assert.equal(b.healthy(), true);
  await a.create(content('after'));
  await waitFor('the change after the reconnect', () => seen.some((e) => e.kind === 'changed' && e.name === 'after'), { timeoutMs: 10_000 });
});

test('fleet board: beats replace a process\'s reports, liveness follows the timeout, reports of a deleted connector go', async (t) => {
  const { store } = await freshPostgresDatabase(pg);
  t.after(() => store.close());
  await store.create(content('c'));
  const status = (n: number) => JSON.stringify({ received: n });
  await store.fleet.beat({ id: 'i1', name: 'one', started_at: Date.now(), reports: [{ tenant: 'default', name: 'c', status: status(1) }, { tenant: 'default', name: 'ghost', status: status(9) }] });
  await store.fleet.beat({ id: 'i2', name: 'two', started_at: Date.now(), reports: [{ tenant: 'default', name: 'c', status: status(2) }] });
  let reports = await store.fleet.reports('default', 'c', 60_000);
  assert.deepEqual(reports.map((r) => [r.instance.name, r.status, r.instance.alive]), [['one', status(1), true], ['two', status(2), true]]);
  assert.deepEqual(await store.fleet.reports('default', 'ghost', 60_000), [], 'a connector the store does not have is not reported');
  await sleep(300);
  await store.fleet.beat({ id: 'i2', name: 'two', started_at: Date.now(), reports: [{ tenant: 'default', name: 'c', status: status(3) }] });
  reports = await store.fleet.reports('default', 'c', 200);
  assert.deepEqual(reports.map((r) => [r.instance.name, r.status, r.instance.alive]), [['one', status(1), false], ['two', status(3), true]], 'one is gone after the timeout');
  assert.ok((reports[0]?.instance.heartbeat_age_ms ?? 0) >= 300);
  assert.equal((await store.fleet.instances(60_000)).length, 2);
  await store.delete('default', 'c');
  assert.deepEqual(await store.fleet.reports('default', 'c', 60_000), [], 'deleting the connector removes every report of it');
  assert.equal(await store.fleet.forget('i1'), true);
  assert.deepEqual((await store.fleet.instances(60_000)).map((i) => i.id), ['i2']);
});
