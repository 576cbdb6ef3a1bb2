// Client ids remembered by the journal database: connectors that existed before unambiguous ids
// keep their old broker session id; new ones get the new form; the instance id is per data dir.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectorClientId, instanceDeadLetterClientId, instanceId } from '../../src/core/client-identity.js';
import { Journal } from '../../src/core/journal.js';
import { JOURNAL_MIGRATIONS } from '../../src/core/journal-schema.js';
import { migrate, openDatabase } from '../../src/sqlite.js';
import { tempDir } from '../helpers/server.js';

/** the journal migrations before the one that introduced stored client ids */
const BEFORE = JOURNAL_MIGRATIONS.findIndex((m) => m.includes('legacy_client_id'));

test('a connector from before the change keeps <prefix><tenant>_<name>; a new one gets <prefix><tenant>:<name>', async (t) => {
  const dir = tempDir('sluice-ids-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'journal.db');
  assert.ok(BEFORE > 0);
  const old = openDatabase(path);
  migrate(old, 'journal', JOURNAL_MIGRATIONS.slice(0, BEFORE));
  old.prepare("INSERT INTO connector_state (tenant, name, epoch) VALUES ('default', 'orders', 'e')").run();
  old.close();

  const j = new Journal(path);
  try {
    j.connector('default', 'orders');
    j.connector('default', 'fresh');
    assert.equal(connectorClientId(j.db, 'sluice_', 'default', 'orders'), 'sluice_default_orders');
    assert.equal(connectorClientId(j.db, 'sluice_', 'default', 'fresh'), 'sluice_default:fresh');
    const id = instanceId(j.db);
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.equal(instanceDeadLetterClientId(j.db, 'sluice_'), `sluice_dlq/${id}`);
  } finally {
    await j.close();
  }
  const again = new Journal(path);
  try {
    assert.equal(connectorClientId(again.db, 'sluice_', 'default', 'orders'), 'sluice_default_orders', 'stays legacy after a restart');
    assert.equal(instanceDeadLetterClientId(again.db, 'x_').startsWith('x_dlq/'), true);
  } finally {
    await again.close();
  }
});

test('two data dirs, two instance ids', async (t) => {
  const dir = tempDir('sluice-ids-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = new Journal(join(dir, 'a.db'));
  const b = new Journal(join(dir, 'b.db'));
  try {
    assert.notEqual(instanceId(a.db), instanceId(b.db));
  } finally {
    await a.close();
    await b.close();
  }
});
