// The definition store contract, run against both stores: the embedded SQLite one
// (src/metadata/sqlite-store.ts) and the shared PostgreSQL one (src/metadata/postgres-store.ts, on
// the harness's real server): CRUD, list query, revisions, and that hostile strings are stored as
// data. Then what is SQLite's own: migrations, WAL mode.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SluiceError } from '../../src/errors.js';
import { buildDefinition, type DefinitionContent } from '../../src/metadata/definition.js';
import { SqliteDefinitionStore } from '../../src/metadata/sqlite-store.js';
import { migrate } from '../../src/sqlite.js';
import type { DefinitionStore, ListQuery } from '../../src/metadata/store.js';
import { freshPostgresDatabase, startStorePostgres, type StorePostgres } from '../helpers/store-postgres.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function freshPath(): string {
  return join(dir, `store-${++n}.db`);
}

function content(name: string, tenant = 'default', extra: Record<string, unknown> = {}): DefinitionContent {
  return buildDefinition({ tenant, name, type: 'file', topic_filter: `t/${name}`, config: { local_file_path: `/tmp/${name}.jsonl` }, ...extra });
}

const Q: ListQuery = { limit: 100, page: 1, sortField: 'name', sortDir: 'asc' };

interface Backend {
  name: string;
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
  /** a store on an empty database */
  open: () => Promise<DefinitionStore>;
}

let pg: StorePostgres | undefined;
const BACKENDS: Backend[] = [
  { name: 'SqliteDefinitionStore', open: async () => new SqliteDefinitionStore(freshPath()) },
  {
    name: 'PostgresDefinitionStore',
    setup: async () => {
      pg = await startStorePostgres();
    },
    teardown: async () => {
      await pg?.stop();
    },
    open: async () => (await freshPostgresDatabase(pg as StorePostgres)).store,
  },
];

for (const backend of BACKENDS) describe(backend.name, () => {
  let store: DefinitionStore;
  before(async () => backend.setup?.());
  beforeEach(async () => {
    await store?.close();
    store = await backend.open();
  });
  after(async () => {
    await store?.close();
    await backend.teardown?.();
  });

  test('create then get returns the same definition with revision 1 and equal timestamps', async () => {
    const c = content('a');
    const created = await store.create(c);
    assert.equal(created.revision, 1);
    assert.equal(created.created_at, created.updated_at);
    assert.ok(!Number.isNaN(Date.parse(created.created_at)));
    const got = await store.get('default', 'a');
    assert.deepEqual(got, created);
    assert.deepEqual({ ...got, created_at: undefined, updated_at: undefined, revision: undefined }, { ...c, created_at: undefined, updated_at: undefined, revision: undefined });
  });

  test('get of a missing connector is undefined; tenants separate names', async () => {
    await store.create(content('a', 't1'));
    assert.equal(await store.get('default', 'a'), undefined);
    assert.equal(await store.get('t1', 'b'), undefined);
    assert.equal((await store.get('t1', 'a'))?.tenant, 't1');
    await store.create(content('a', 't2'));
    assert.equal((await store.all()).length, 2);
  });

  test('create of an existing (tenant, name) is CONFLICT and keeps the original', async () => {
    await store.create(content('a', 'default', { description: 'first' }));
    await assert.rejects(store.create(content('a', 'default', { description: 'second' })), (e: unknown) => e instanceof SluiceError && e.code === 'CONFLICT' && e.status === 409);
    assert.equal((await store.get('default', 'a'))?.description, 'first');
  });

  test('list: tenant is an exact match', async () => {
    for (const [t, name] of [['a', 'x1'], ['ab', 'x2'], ['A', 'x3'], ['b', 'x4']] as const) await store.create(content(name, t));
    const r = await store.list({ ...Q, tenant: 'a' });
    assert.deepEqual(r.items.map((d) => `${d.tenant}/${d.name}`), ['a/x1']);
    assert.equal(r.total, 1);
    assert.equal((await store.list(Q)).total, 4);
  });

  test('list: name is a case-sensitive contains-match, and LIKE wildcards are literal', async () => {
    for (const name of ['sensor-1', 'my-sensor', 'Sensor_2', 'pump', 'a_b', 'axb']) await store.create(content(name));
    // `%` is not a valid name; the store does not validate, so it can hold one to prove `%` is not a LIKE wildcard
    await store.create({ ...content('p'), name: '100%' });
    assert.deepEqual((await store.list({ ...Q, nameContains: 'sensor' })).items.map((d) => d.name), ['my-sensor', 'sensor-1']);
    assert.deepEqual((await store.list({ ...Q, nameContains: '_' })).items.map((d) => d.name), ['Sensor_2', 'a_b']);
    assert.deepEqual((await store.list({ ...Q, nameContains: '%' })).items.map((d) => d.name), ['100%']);
    assert.equal((await store.list({ ...Q, nameContains: 'nothing' })).total, 0);
    assert.equal((await store.list({ ...Q, nameContains: "'; DROP TABLE connectors;--" })).total, 0);
    assert.equal((await store.list(Q)).total, 7);
  });

  test('list: type filter', async () => {
    await store.create(content('f1'));
    await store.create(buildDefinition({ name: 'w1', type: 'webhook', topic_filter: 'a', config: { url: 'http://x' } }));
    assert.deepEqual((await store.list({ ...Q, type: 'webhook' })).items.map((d) => d.name), ['w1']);
  });

  test('list: pagination with total, 1-based pages, past-the-end page empty', async () => {
    for (let i = 0; i < 7; i++) await store.create(content(`c${i}`));
    const pages = [];
    for (let page = 1; page <= 4; page++) pages.push(await store.list({ ...Q, limit: 3, page }));
    assert.deepEqual(pages.map((p) => p.items.map((d) => d.name)), [['c0', 'c1', 'c2'], ['c3', 'c4', 'c5'], ['c6'], []]);
    for (const p of pages) assert.equal(p.total, 7);
  });

  test('list: sort by name both ways', async () => {
    for (const name of ['b', 'c', 'a']) await store.create(content(name));
    assert.deepEqual((await store.list({ ...Q, sortField: 'name', sortDir: 'asc' })).items.map((d) => d.name), ['a', 'b', 'c']);
    assert.deepEqual((await store.list({ ...Q, sortField: 'name', sortDir: 'desc' })).items.map((d) => d.name), ['c', 'b', 'a']);
  });

  test('list: sort by created_at both ways', async () => {
    for (const name of ['b', 'c', 'a']) {
      await store.create(content(name));
      await sleep(5);
    }
    assert.deepEqual((await store.list({ ...Q, sortField: 'created_at', sortDir: 'asc' })).items.map((d) => d.name), ['b', 'c', 'a']);
    assert.deepEqual((await store.list({ ...Q, sortField: 'created_at', sortDir: 'desc' })).items.map((d) => d.name), ['a', 'c', 'b']);
  });

  test('update bumps the revision, keeps created_at, moves updated_at, stores the new content', async () => {
    const created = await store.create(content('a'));
    await sleep(5);
    const updated = await store.update(content('a', 'default', { topic_filter: 'new/#', description: 'changed' }));
    assert.equal(updated.revision, 2);
    assert.equal(updated.created_at, created.created_at);
    assert.ok(updated.updated_at > created.updated_at, `${updated.updated_at} > ${created.updated_at}`);
    const got = await store.get('default', 'a');
    assert.deepEqual(got, updated);
    assert.equal(got?.topic_filter, 'new/#');
    assert.equal((await store.update(content('a'), 2)).revision, 3);
  });

  test('update with a stale revision is CONFLICT and changes nothing', async () => {
    await store.create(content('a'));
    await store.update(content('a', 'default', { description: 'v2' }), 1);
    await assert.rejects(store.update(content('a', 'default', { description: 'v3' }), 1), (e: unknown) => e instanceof SluiceError && e.code === 'CONFLICT' && /revision 2, not 1/.test(e.message));
    const got = await store.get('default', 'a');
    assert.equal(got?.revision, 2);
    assert.equal(got?.description, 'v2');
  });

  test('update of a missing connector is NOT_FOUND', async () => {
    await assert.rejects(store.update(content('ghost')), (e: unknown) => e instanceof SluiceError && e.code === 'NOT_FOUND');
  });

  test('delete returns the deleted definition, then undefined; others stay', async () => {
    await store.create(content('a'));
    await store.create(content('b'));
    assert.equal((await store.delete('default', 'a'))?.name, 'a');
    assert.equal(await store.delete('default', 'a'), undefined);
    assert.equal(await store.get('default', 'a'), undefined);
    assert.deepEqual((await store.all()).map((d) => d.name), ['b']);
  });

  test('hostile strings in config and description are stored as data', async () => {
    const evil = "x'); DROP TABLE connectors;-- \u0000 ../../etc/passwd";
    await store.create(content('a', 'default', { description: evil }));
    assert.equal((await store.get('default', 'a'))?.description, evil);
    // the store itself does not validate names: even a hostile one is only a parameter
    await store.create({ ...content('b'), name: "b'; DROP TABLE connectors;--" });
    assert.equal((await store.all()).length, 2);
  });

  test('healthy() until closed', async () => {
    assert.equal(store.healthy(), true);
    await store.close();
    assert.equal(store.healthy(), false);
    await store.close();
  });
});

describe('SQLite file', () => {
  test('WAL journal mode is on', async () => {
    const path = freshPath();
    const store = new SqliteDefinitionStore(path);
    await store.create(content('a'));
    await store.close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });

  test('reopening the same file keeps the data and applies migrations once', async () => {
    const path = freshPath();
    const first = new SqliteDefinitionStore(path);
    const created = await first.create(content('a'));
    await first.close();
    for (let i = 0; i < 3; i++) {
      const again = new SqliteDefinitionStore(path);
      assert.deepEqual(await again.get('default', 'a'), created);
      await again.close();
    }
    const db = new Database(path);
    try {
      const rows = db.prepare("SELECT version FROM schema_migrations WHERE component = 'definitions' ORDER BY version").all() as { version: number }[];
      assert.deepEqual(rows.map((r) => r.version), [1, 2], 'each migration applied once (2: the transform column)');
      // running the migrations again directly is a no-op, not an error ("table connectors already exists")
      migrate(db, 'definitions', ['CREATE TABLE connectors (x INTEGER)', 'ALTER TABLE connectors ADD COLUMN transform TEXT']);
      migrate(db, 'definitions', ['CREATE TABLE connectors (x INTEGER)', 'ALTER TABLE connectors ADD COLUMN transform TEXT', 'CREATE TABLE extra (y INTEGER)']);
      assert.deepEqual((db.prepare("SELECT version FROM schema_migrations WHERE component = 'definitions' ORDER BY version").all() as { version: number }[]).map((r) => r.version), [1, 2, 3]);
      assert.ok(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'extra'").get());
    } finally {
      db.close();
    }
  });

  test('a migration that fails is rolled back and not recorded', () => {
    const db = new Database(':memory:');
    try {
      assert.throws(() => migrate(db, 'x', ['CREATE TABLE ok1 (a INTEGER)', 'CREATE TABLE ok2 (a INTEGER); THIS IS NOT SQL']));
      assert.deepEqual((db.prepare("SELECT version FROM schema_migrations WHERE component = 'x'").all() as { version: number }[]).map((r) => r.version), [1]);
      assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok2'").get(), undefined);
    } finally {
      db.close();
    }
  });

  test('the directory of the DB file is created', async () => {
    const path = join(dir, 'nested', 'deeper', 'sluice.db');
    const store = new SqliteDefinitionStore(path);
    await store.create(content('a'));
    await store.close();
    const again = new SqliteDefinitionStore(path);
    assert.equal((await again.all()).length, 1);
    await again.close();
  });

  test('two store instances on one file see each other\'s writes', async () => {
    const path = freshPath();
    const a = new SqliteDefinitionStore(path);
    const b = new SqliteDefinitionStore(path);
    try {
      await a.create(content('x'));
      assert.equal((await b.get('default', 'x'))?.name, 'x');
      await b.update(content('x', 'default', { description: 'by b' }));
      assert.equal((await a.get('default', 'x'))?.revision, 2);
      await assert.rejects(b.create(content('x')), (e: unknown) => e instanceof SluiceError && e.code === 'CONFLICT');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
