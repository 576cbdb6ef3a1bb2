// Unit tests of the SQLite journal (journal.ts): append/read/commit, strictly increasing offsets,
// counters and the accounting identity across reopening (and across a "crash": a second connection
// without close()), dropOldest, deleteCommitted, remove.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { type ConnectorJournal, type Counters, type IncomingMessage, Journal } from '../../src/core/journal.js';
import { tempDir } from '../helpers/server.js';

const msg = (i: number, bytes = 10, topic = 't/a'): IncomingMessage => ({ topic, payload: Buffer.from(`${i}`.padEnd(bytes, '.')), qos: 1, retain: false });

function assertIdentity(c: Counters, where = ''): void {
  const discarded = Object.values(c.discarded).reduce((a, b) => a + b, 0);
  assert.equal(c.received, c.written + discarded + c.dead_lettered + c.pending, `${where} ${JSON.stringify(c)}`);
}

describe('journal', () => {
  let dir: string;
  let path: string;
  const open: Journal[] = [];
  const journal = () => {
    const j = new Journal(path);
    open.push(j);
    return j;
  };
  const rowsOf = (j: Journal, cj: ConnectorJournal) => (j.db.prepare('SELECT offset FROM journal WHERE connector_id = ? ORDER BY offset').all(cj.id) as { offset: number }[]).map((r) => r.offset);

  beforeEach(() => {
    dir = tempDir('sluice-journal-');
    path = join(dir, 'journal.db');
  });
  afterEach(async () => {
    for (const j of open.splice(0)) await j.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('append, read after the committed offset, commit', async () => {
    const j = journal();
    const c = j.connector('default', 'a');
    const props = { contentType: 'text/plain', userProperties: { k: 'v' }, correlationData: Buffer.from([1, 2]) };
    const offsets = [0, 1, 2, 3, 4].map((i) => c.append({ ...msg(i), retain: i === 4, qos: i === 3 ? 0 : 1, ...(i === 2 ? { properties: props } : {}) }, 1_700_000_000_000 + i));
    assert.deepEqual(offsets, [1, 2, 3, 4, 5]);
    const recs = c.read(10);
    assert.deepEqual(recs.map((r) => r.offset), offsets);
    assert.equal(recs[0]?.payload.toString(), '0.........');
    assert.equal(recs[0]?.topic, 't/a');
    assert.equal(recs[0]?.timestamp, 1_700_000_000_000);
    assert.equal(recs[3]?.qos, 0);
    assert.equal(recs[4]?.retain, true);
    assert.deepEqual(recs[2]?.properties, props);
    assert.equal(recs[0]?.properties, undefined);
    assert.deepEqual(c.read(2).map((r) => r.offset), [1, 2], 'limit');
    assert.deepEqual(c.read(10, 3).map((r) => r.offset), [4, 5], 'after a given offset');
    assert.equal(c.oldestPendingTimestamp(), 1_700_000_000_000);

    let s = c.snapshot();
    assert.equal(s.received, 5);
    assert.equal(s.pending, 5);
    assert.equal(s.pending_bytes, 5 * (10 + 3));
    assertIdentity(s);

    c.commit({ upTo: 3, written: 2, discarded: { permanent_error: 1 }, deadLetters: [], retries: 4 }, recs.slice(0, 3));
    assert.equal(c.committedOffset, 3);
    assert.deepEqual(c.read(10).map((r) => r.offset), [4, 5], 'reads start after the committed offset');
    s = c.snapshot();
    assert.equal(s.written, 2);
    assert.deepEqual(s.discarded, { permanent_error: 1 });
    assert.equal(s.pending, 2);
    assert.equal(s.pending_bytes, 2 * 13);
    assert.equal(s.retries, 4);
    assert.ok(s.last_success_at !== null);
    assert.equal(c.oldestPendingTimestamp(), 1_700_000_000_003);
    assertIdentity(s);

    // dead letters are committed together with the offset
    const dl = recs[3] as (typeof recs)[number];
    c.commit({ upTo: 5, written: 1, discarded: {}, deadLetters: [{ record: dl, error_message: 'HTTP 400', retry_times: 0, dead_letter_timestamp: 1_700_000_001_000 }], retries: 0 }, recs.slice(3));
    s = c.snapshot();
    assert.equal(s.dead_lettered, 1);
    assert.equal(s.pending, 0);
    assert.equal(s.pending_bytes, 0);
    assert.equal(c.oldestPendingTimestamp(), null);
    assertIdentity(s);
    const list = j.deadLetters.list(c.id, 10, 1);
    assert.equal(list.total, 1);
    assert.equal(list.rows[0]?.error_message, 'HTTP 400');
    assert.equal(list.rows[0]?.qos, 0);
    assert.equal(list.rows[0]?.original_timestamp, 1_700_000_000_003);
  });

  test('offsets are strictly increasing, across commits, sweeps and reopening', async () => {
    let j = journal();
    let c = j.connector('default', 'a');
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) seen.push(c.append(msg(i)));
    c.commit({ upTo: 10, written: 10, discarded: {}, deadLetters: [], retries: 0 }, c.read(10));
    c.deleteCommitted();
    assert.deepEqual(rowsOf(j, c), [], 'committed rows swept');
    for (let i = 0; i < 3; i++) seen.push(c.append(msg(i)));
    await j.close();

    j = journal();
    c = j.connector('default', 'a');
    for (let i = 0; i < 3; i++) seen.push(c.append(msg(i)));
    c.commit({ upTo: seen.at(-1) as number, written: 6, discarded: {}, deadLetters: [], retries: 0 }, c.read(100));
    j.sweep();
    await j.close();

    // everything committed and swept: the next offset still follows the last one
    j = journal();
    c = j.connector('default', 'a');
    seen.push(c.append(msg(0)));
    for (let i = 1; i < seen.length; i++) assert.ok((seen[i] as number) > (seen[i - 1] as number), `offset ${seen[i]} after ${seen[i - 1]}`);
    assert.deepEqual(seen, Array.from({ length: 17 }, (_, i) => i + 1));
  });

  test('each connector has its own offsets, counters and rows', () => {
    const j = journal();
    const a = j.connector('default', 'a');
    const b = j.connector('default', 'b');
    const other = j.connector('t2', 'a');
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.id, other.id);
    assert.equal(j.connector('default', 'a'), a, 'one ConnectorJournal per connector');
    a.append(msg(1));
    a.append(msg(2));
    assert.equal(b.append(msg(1)), 1);
    assert.equal(a.snapshot().received, 2);
    assert.equal(b.snapshot().received, 1);
    assert.equal(other.snapshot().received, 0);
    assert.deepEqual(b.read(10).map((r) => r.payload.toString()), ['1.........']);
  });

  test('counters survive reopening; the accounting identity holds after it', async () => {
    let j = journal();
    let c = j.connector('default', 'a');
    for (let i = 0; i < 10; i++) c.append(msg(i));
    const recs = c.read(6);
    c.commit({ upTo: 6, written: 3, discarded: { retries_exhausted: 1, permanent_error: 1 }, deadLetters: [{ record: recs[5] as (typeof recs)[number], error_message: 'x', retry_times: 2, dead_letter_timestamp: Date.now() }], retries: 7 }, recs);
    c.countUnjournaled('journal_full'); // a QoS 0 message refused while full
    const [dl] = j.deadLetters.page(c.id, 0, 1);
    c.commitReplay(dl ? [dl.id] : [], []);
    c.countRetries(2);
    const before = c.snapshot();
    assertIdentity(before);
    await j.close();

    j = journal();
    c = j.connector('default', 'a');
    const after = c.snapshot();
    assert.deepEqual(after, before);
    assert.equal(after.received, 11);
    assert.equal(after.written, 3);
    assert.deepEqual(after.discarded, { retries_exhausted: 1, permanent_error: 1, journal_full: 1 });
    assert.equal(after.dead_lettered, 1);
    assert.equal(after.pending, 4);
    assert.equal(after.retries, 9);
    assert.equal(after.dlq_replayed, 1);
    assert.equal(c.committedOffset, 6);
    assert.deepEqual(c.read(10).map((r) => r.offset), [7, 8, 9, 10]);
    assertIdentity(after, 'after reopen');
  });

  test('appends are visible to a fresh connection without close() (as after kill -9)', async () => {
    const j = journal();
    const c = j.connector('default', 'a');
    for (let i = 0; i < 5; i++) c.append(msg(i));
    c.commit({ upTo: 2, written: 2, discarded: {}, deadLetters: [], retries: 0 }, c.read(2));
    c.append(msg(5));
    await nextTurn(); // the append group commits at the end of the event-loop turn
    await nextTurn();
    const db = new Database(path, { readonly: true });
    try {
      const state = db.prepare('SELECT committed_offset, written FROM connector_state WHERE id = ?').get(c.id) as { committed_offset: number; written: number };
      assert.deepEqual(state, { committed_offset: 2, written: 2 });
      const n = (db.prepare('SELECT COUNT(*) AS n FROM journal WHERE connector_id = ? AND offset > 2').get(c.id) as { n: number }).n;
      assert.equal(n, 4);
    } finally {
      db.close();
    }
    // a second Journal on the same file (the process restarted without closing the first)
    const j2 = journal();
    const s = j2.connector('default', 'a').snapshot();
    assert.equal(s.received, 6);
    assert.equal(s.pending, 4);
    assertIdentity(s);
  });

  test('dropOldest drops the oldest pending records not in flight, counted as discarded{journal_full}', async () => {
    const j = journal();
    const c = j.connector('default', 'a');
    for (let i = 0; i < 10; i++) c.append(msg(i, 97)); // 97 + 3 = 100 bytes a row
    assert.equal(c.snapshot().pending_bytes, 1000);
    assert.equal(c.wouldExceed(100, 1000), true);
    assert.equal(c.wouldExceed(0, 1000), false);
    // rows 1-2 are in flight: 300 bytes more must fit under 800 → drop 5 of rows 3…10
    const dropped = c.dropOldest(300, 800, 2);
    assert.equal(dropped, 5);
    assert.deepEqual(c.read(100).map((r) => r.offset), [1, 2, 8, 9, 10]);
    const s = c.snapshot();
    assert.deepEqual(s.discarded, { journal_full: 5 });
    assert.equal(s.pending, 5);
    assert.equal(s.pending_bytes, 500);
    assertIdentity(s);
    // nothing but the in-flight rows left to drop: it stops short and says how many it took
    assert.equal(c.dropOldest(1000, 800, 10), 0);
    assert.equal(c.dropOldest(10_000, 800, 2), 3);
    assert.deepEqual(c.read(100).map((r) => r.offset), [1, 2]);
    assert.deepEqual(c.snapshot().discarded, { journal_full: 8 });
    assertIdentity(c.snapshot());
    await j.close();
    const again = journal().connector('default', 'a').snapshot();
    assert.deepEqual(again.discarded, { journal_full: 8 });
    assert.equal(again.pending, 2);
    assertIdentity(again, 'after reopen');
  });

  test('deleteCommitted removes exactly the committed rows', () => {
    const j = journal();
    const c = j.connector('default', 'a');
    for (let i = 0; i < 8; i++) c.append(msg(i));
    c.deleteCommitted();
    assert.equal(rowsOf(j, c).length, 8, 'nothing committed, nothing deleted');
    c.commit({ upTo: 5, written: 5, discarded: {}, deadLetters: [], retries: 0 }, c.read(5));
    assert.equal(rowsOf(j, c).length, 8, 'committing does not delete on the hot path');
    c.deleteCommitted();
    assert.deepEqual(rowsOf(j, c), [6, 7, 8]);
    c.commit({ upTo: 8, written: 3, discarded: {}, deadLetters: [], retries: 0 }, c.read(3));
    j.sweep();
    assert.deepEqual(rowsOf(j, c), []);
    assert.equal(c.snapshot().written, 8);
    assertIdentity(c.snapshot());
  });

  test('remove deletes state, rows and dead letters of one connector only; it restarts from zero', () => {
    const j = journal();
    const a = j.connector('default', 'a');
    const b = j.connector('default', 'b');
    for (let i = 0; i < 4; i++) {
      a.append(msg(i));
      b.append(msg(i));
    }
    const ra = a.read(2);
    a.commit({ upTo: 2, written: 1, discarded: {}, deadLetters: [{ record: ra[1] as (typeof ra)[number], error_message: 'x', retry_times: 0, dead_letter_timestamp: Date.now() }], retries: 0 }, ra);
    const rb = b.read(1);
    b.commit({ upTo: 1, written: 0, discarded: {}, deadLetters: [{ record: rb[0] as (typeof rb)[number], error_message: 'y', retry_times: 0, dead_letter_timestamp: Date.now() }], retries: 0 }, rb);
    const oldId = a.id;

    j.remove('default', 'a');
    const count = (sql: string, id: number) => (j.db.prepare(sql).get(id) as { n: number }).n;
    assert.equal(count('SELECT COUNT(*) AS n FROM connector_state WHERE id = ?', oldId), 0);
    assert.equal(count('SELECT COUNT(*) AS n FROM journal WHERE connector_id = ?', oldId), 0);
    assert.equal(count('SELECT COUNT(*) AS n FROM dead_letters WHERE connector_id = ?', oldId), 0);
    // b untouched
    assert.equal(count('SELECT COUNT(*) AS n FROM journal WHERE connector_id = ?', b.id), 4);
    assert.equal(j.deadLetters.list(b.id, 10, 1).total, 1);
    assert.equal(b.snapshot().received, 4);

    const fresh = j.connector('default', 'a');
    assert.notEqual(fresh.id, oldId);
    assert.notEqual(fresh, a);
    const s = fresh.snapshot();
    assert.deepEqual({ received: s.received, written: s.written, dead_lettered: s.dead_lettered, pending: s.pending, discarded: s.discarded }, { received: 0, written: 0, dead_lettered: 0, pending: 0, discarded: {} });
    assert.equal(fresh.committedOffset, 0);
    assert.equal(fresh.append(msg(0)), 1);
    assert.equal(j.deadLetters.list(fresh.id, 10, 1).total, 0);
    j.remove('default', 'never-existed'); // harmless
  });

  test('waitForAppend resolves on the next append, on timeout, or on abort', async () => {
    const j = journal();
    const c = j.connector('default', 'a');
    const t0 = performance.now();
    const w = c.waitForAppend(10_000);
    setTimeout(() => c.append(msg(1)), 20);
    await w;
    assert.ok(performance.now() - t0 < 2000);
    const t1 = performance.now();
    await c.waitForAppend(30);
    assert.ok(performance.now() - t1 >= 25);
    const ac = new AbortController();
    const t2 = performance.now();
    const w2 = c.waitForAppend(10_000, ac.signal);
    setTimeout(() => ac.abort(), 20);
    await w2;
    assert.ok(performance.now() - t2 < 2000);
  });

  test('record ids: unique per record, never repeated across delete and re-create, kept by a dead letter', async () => {
    const j = journal();
    const a = j.connector('default', 'a');
    for (let i = 0; i < 3; i++) a.append(msg(i));
    const first = a.read(10);
    assert.equal(new Set(first.map((r) => r.id)).size, 3);
    assert.ok(first.every((r) => r.id === `${a.epoch}-${r.offset}`), JSON.stringify(first.map((r) => r.id)));
    const dead = first[1] as (typeof first)[number];
    a.commit({ upTo: 3, written: 2, discarded: {}, deadLetters: [{ record: dead, error_message: 'x', retry_times: 0, dead_letter_timestamp: Date.now() }], retries: 0 }, first);
    const [replay] = j.deadLetters.page(a.id, 0, 10);
    assert.equal(replay?.record.id, dead.id, 'a replayed dead letter keeps the id of the original record');
    assert.equal(replay?.record.offset, dead.offset);

    // reopened: same epoch; deleted and re-created: a new one, so offset 1 gets a new id
    await j.close();
    open.splice(0);
    const j2 = journal();
    assert.equal(j2.connector('default', 'a').read(10, 0).length, 0);
    assert.equal(j2.connector('default', 'a').epoch, a.epoch);
    j2.remove('default', 'a');
    const again = j2.connector('default', 'a');
    again.append(msg(0));
    const [r1] = again.read(1);
    assert.equal(r1?.offset, 1);
    assert.ok(!first.some((r) => r.id === r1?.id), `${r1?.id} repeats an id of the deleted connector`);
  });
});
