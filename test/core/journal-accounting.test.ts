// The accounting identity can fail (journal.ts): `received` is stored at intake, apart from the
// outcome counters; pending is the real row count; the checkpoint worker re-verifies the stored
// counters against the rows. A corrupted counter or a lost row shows as accountingOk() false and
// one `ACCOUNTING BROKEN` log line per breakage.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { ConnectorStatus } from '../../src/core/connector-status.js';
import { type IncomingMessage, Journal } from '../../src/core/journal.js';
import { JOURNAL_MIGRATIONS } from '../../src/core/journal-schema.js';
import type { Logger } from '../../src/core/logger.js';
import { migrate, openDatabase } from '../../src/sqlite.js';
import { waitFor } from '../helpers/runtime.js';
import { startTestServer, tempDir } from '../helpers/server.js';

const msg = (i: number): IncomingMessage => ({ topic: 't/a', payload: Buffer.from(`m${i}`), qos: 1, retain: false });

interface Line {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

function capturingLog(lines: Line[]): Logger {
  const put = (level: string) => (obj: object, msg?: string) => lines.push({ level, msg: msg ?? '', fields: obj as Record<string, unknown> });
  const log: Logger = { child: () => log, debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error') };
  return log;
}

const broken = (lines: Line[]) => lines.filter((l) => l.level === 'error' && l.msg.startsWith('ACCOUNTING BROKEN'));

describe('journal accounting', () => {
  let dir: string;
  let path: string;
  const open: Journal[] = [];
  const journal = (verifyEveryMs = 60_000) => {
    const j = new Journal(path, { intervalMs: 20, verifyEveryMs });
    open.push(j);
    return j;
  };
  const raw = (sql: string, ...args: unknown[]) => {
    const db = new Database(path);
    try {
      db.prepare(sql).run(...args);
    } finally {
      db.close();
    }
  };
  const stored = (column: string): number => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare(`SELECT ${column} AS v FROM connector_state WHERE name = 'a'`).get() as { v: number }).v;
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = tempDir('sluice-accounting-');
    path = join(dir, 'journal.db');
  });
  afterEach(async () => {
    for (const j of open.splice(0)) await j.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('received is stored with the append group, and counted apart from the outcomes', async () => {
    const j = journal();
    const c = j.connector('default', 'a');
    for (let i = 0; i < 5; i++) c.append(msg(i));
    c.countUnjournaled('larger_than_journal');
    await nextTurn();
    assert.equal(stored('received'), 6, 'stored in the transaction that committed the appends');
    const recs = c.read(2);
    c.commit({ upTo: recs[1]?.offset ?? 0, written: 1, discarded: { permanent_error: 1 }, deadLetters: [], retries: 0 }, recs);
    assert.equal(c.accountingOk(), true);
    await j.close();
    const again = journal().connector('default', 'a');
    const s = again.snapshot();
    assert.deepEqual([s.received, s.written, s.discarded, s.pending], [6, 1, { larger_than_journal: 1, permanent_error: 1 }, 3]);
    assert.equal(again.accountingOk(), true);
  });

  test('a corrupted counter in the journal file: accountingOk false, logged once', async () => {
    const j = journal();
    const c = j.connector('default', 'a');
    for (let i = 0; i < 4; i++) c.append(msg(i));
    await nextTurn();
    const recs = c.read(2);
    c.commit({ upTo: recs[1]?.offset ?? 0, written: 2, discarded: {}, deadLetters: [], retries: 0 }, recs);
    await j.close();
    raw("UPDATE connector_state SET written = written + 3 WHERE name = 'a'");

    const lines: Line[] = [];
    const reopened = journal();
    reopened.useLog(capturingLog(lines));
    const again = reopened.connector('default', 'a');
    assert.equal(again.accountingOk(), false);
    assert.equal(again.accountingOk(), false, 'stays false');
    const found = broken(lines);
    assert.equal(found.length, 1, `one line per breakage, not per call: ${JSON.stringify(lines)}`);
    assert.deepEqual([found[0]?.fields.tenant, found[0]?.fields.connector, found[0]?.fields.received, found[0]?.fields.accounted], ['default', 'a', 4, 7]);
  });

  test('journal rows lost behind its back: the checkpoint worker finds it', async () => {
    const lines: Line[] = [];
    const j = journal(50);
    j.useLog(capturingLog(lines));
    const c = j.connector('default', 'a');
    for (let i = 0; i < 6; i++) c.append(msg(i));
    await nextTurn();
    assert.equal(c.accountingOk(), true);
    // the in-memory counters cannot see this; the worker's snapshot of rows and counters can
    raw("DELETE FROM journal WHERE offset IN (2, 5) AND connector_id = (SELECT id FROM connector_state WHERE name = 'a')");
    await waitFor('the worker reports the breakage', () => broken(lines).length > 0, { timeoutMs: 10_000 });
    assert.equal(c.accountingOk(), false);
    const line = broken(lines)[0];
    assert.deepEqual([line?.fields.stored_received, line?.fields.stored_accounted, line?.fields.journal_rows], [6, 4, 4]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(broken(lines).length, 1, 'the worker re-verifies every 50 ms, the breakage is logged once');
  });

  test('no false alarm: appends, commits and drop_oldest while the worker verifies', async () => {
    const lines: Line[] = [];
    const j = journal(20);
    j.useLog(capturingLog(lines));
    const c = j.connector('default', 'a');
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) c.append(msg(i));
      await nextTurn();
      const recs = c.read(35);
      c.commit({ upTo: recs.at(-1)?.offset ?? 0, written: 30, discarded: { retriable_error: 5 }, deadLetters: [], retries: 2 }, recs);
      // drop pending records until 20 of them (2 bytes + 3 of topic each) fit under the bound
      const dropped = c.dropOldest(0, 100, 0);
      assert.ok(round === 0 || dropped > 0, `round ${round}: drop_oldest dropped nothing`);
      await new Promise((r) => setTimeout(r, 15));
    }
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(broken(lines), []);
    assert.equal(c.accountingOk(), true);
    const s = c.snapshot();
    assert.ok((s.discarded.journal_full ?? 0) > 0 && s.written === 600, JSON.stringify(s));
  });

  test('migration: an existing journal starts from the derived received', () => {
    const db = openDatabase(path);
    migrate(db, 'journal', JOURNAL_MIGRATIONS.slice(0, 3));
    db.prepare("INSERT INTO connector_state (tenant, name, committed_offset, written, discarded, dead_lettered, epoch) VALUES ('default', 'a', 5, 3, '{\"permanent_error\":1,\"journal_full\":2}', 1, 'e')").run();
    const id = (db.prepare("SELECT id FROM connector_state WHERE name = 'a'").get() as { id: number }).id;
    // 4 and 5 committed but not yet swept, 6..8 pending
    for (const off of [4, 5, 6, 7, 8]) db.prepare("INSERT INTO journal (connector_id, offset, topic, payload, qos, retain, ts) VALUES (?, ?, 't', x'00', 1, 0, 0)").run(id, off);
    db.close();
    const c = journal().connector('default', 'a');
    const s = c.snapshot();
    assert.equal(s.received, 3 + 3 + 1 + 3);
    assert.equal(s.pending, 3);
    assert.equal(c.accountingOk(), true);
  });
});

describe('status of a connector whose journal counters were corrupted', () => {
  test('accounting_ok is false after a restart on the changed file', async () => {
    const dir = tempDir('sluice-accounting-status-');
    const files = { dbPath: join(dir, 'sluice.db'), journalPath: join(dir, 'journal.db') };
    try {
      let server = await startTestServer(files);
      const created = await server.request('POST', '/api/v1/connectors', { name: 'a', type: 'file', topic_filter: 't/#', config: { local_file_path: join(dir, 'out.jsonl') } });
      assert.equal(created.status, 201, created.text);
      const before = await server.request<ConnectorStatus>('GET', '/api/v1/connectors/a/status');
      assert.equal(before.body.accounting_ok, true, before.text);
      await server.stop();
      const db = new Database(files.journalPath);
      db.prepare("UPDATE connector_state SET dead_lettered = dead_lettered + 2 WHERE name = 'a'").run();
      db.close();
      server = await startTestServer(files);
      try {
        const after = await server.request<ConnectorStatus>('GET', '/api/v1/connectors/a/status');
        assert.equal(after.status, 200, after.text);
        assert.deepEqual([after.body.received, after.body.dead_lettered, after.body.accounting_ok], [0, 2, false], after.text);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
