// The in-memory tail of a connector's journal (journal-tail.ts), alone and through the journal:
// a read served from the tail gives exactly the records a read of the rows gives, including MQTT 5
// properties, and anything that changes rows behind it (a rolled-back append group, a dropped
// oldest row, a full tail) sends reads to the rows again.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SinkRecord } from '../../src/connectors/sink.js';
import { type ConnectorJournal, type IncomingMessage, Journal } from '../../src/core/journal.js';
import { JournalTail } from '../../src/core/journal-tail.js';
import { tempDir } from '../helpers/server.js';

const rec = (offset: number, bytes = 10): SinkRecord => ({ id: `e-${offset}`, offset, topic: 't', payload: Buffer.alloc(bytes), qos: 1, retain: false, timestamp: 0 });
const msg = (i: number, extra: Partial<IncomingMessage> = {}): IncomingMessage => ({ topic: `t/${i % 3}`, payload: Buffer.from(`payload ${i}`), qos: 1, retain: i % 2 === 0, ...extra });

describe('JournalTail', () => {
  test('serves a contiguous run from any offset inside it, and nothing outside it', () => {
    const t = new JournalTail({ records: 100, bytes: 1 << 20 });
    for (let o = 5; o <= 14; o++) assert.equal(t.push(rec(o)), true);
    assert.deepEqual(t.from(4, 3)?.map((r) => r.offset), [5, 6, 7]);
    assert.deepEqual(t.from(11, 10)?.map((r) => r.offset), [12, 13, 14]);
    assert.equal(t.from(3, 5), undefined, 'starts before the tail');
    assert.equal(t.from(14, 5), undefined, 'after the newest');
    assert.equal(t.push(rec(16)), false, 'a gap is refused');
    assert.equal(t.lastOffset, 14);
  });

  test('refuses what is over its record or byte limit, and restarts once trimmed empty', () => {
    const t = new JournalTail({ records: 3, bytes: 35 });
    assert.deepEqual([1, 2, 3, 4].map((o) => t.push(rec(o))), [true, true, true, false]);
    t.trimThrough(1);
    assert.equal(t.push(rec(5)), false, 'offset 4 is missing: 5 would not continue the run');
    t.trimThrough(3);
    assert.equal(t.size, 0);
    assert.equal(t.push(rec(6, 30)), true, 'empty: a new run may start anywhere');
    assert.equal(t.push(rec(7, 30)), false, 'over the byte limit');
  });

  test('trimming keeps the rest readable (also after compaction)', () => {
    const t = new JournalTail({ records: 20_000, bytes: 1 << 30 });
    for (let o = 1; o <= 12_000; o++) t.push(rec(o, 1));
    t.trimThrough(9_000);
    assert.equal(t.size, 3_000);
    assert.deepEqual(t.from(9_000, 2)?.map((r) => r.offset), [9_001, 9_002]);
    assert.equal(t.from(8_999, 2), undefined);
  });
});

describe('journal reads served from the tail', () => {
  let dir: string;
  const open: Journal[] = [];
  const journal = () => {
    const j = new Journal(join(dir, 'journal.db'));
    open.push(j);
    return j;
  };
  /** the same read as the rows give it, by a second journal on the same file */
  const fromRows = (c: ConnectorJournal, limit: number, after: number) => {
    const other = new Journal(join(dir, 'journal.db'));
    open.push(other);
    return other.connector(c.tenant, c.name).read(limit, after);
  };

  beforeEach(() => {
    dir = tempDir('sluice-tail-');
  });
  afterEach(async () => {
    for (const j of open.splice(0)) await j.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the records read are the ones the rows hold, MQTT 5 properties included', async () => {
    const c = journal().connector('default', 'a');
    const props = { contentType: 'text/plain', correlationData: Buffer.from([1, 2, 3]), userProperties: { a: '1', b: ['x', 'y'] }, messageExpiryInterval: 60, responseTopic: undefined };
    for (let i = 0; i < 50; i++) c.append(msg(i, i % 5 === 0 ? { properties: props } : {}), 1_000 + i);
    await nextTurn();
    const held = c.read(30, 7);
    assert.equal(held.length, 30);
    assert.deepEqual(held, fromRows(c, 30, 7));
    assert.equal('responseTopic' in (held.find((r) => r.properties)?.properties ?? {}), false, 'an undefined property is absent, as after a read of the row');
  });

  test('a rolled-back append group is not served', async () => {
    const j = journal();
    const c = j.connector('default', 'a');
    for (let i = 0; i < 5; i++) c.append(msg(i));
    await nextTurn();
    // the next group fails to commit (as on a full disk): its appends leave the rows and must leave the tail
    j.db.exec("CREATE TRIGGER fail_state BEFORE UPDATE ON connector_state BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    c.append(msg(5));
    c.append(msg(6));
    assert.deepEqual(c.read(100).map((r) => r.offset), [1, 2, 3, 4, 5, 6, 7]);
    j.commitGroup();
    j.db.exec('DROP TRIGGER fail_state');
    assert.deepEqual(c.read(100).map((r) => r.offset), [1, 2, 3, 4, 5]);
    c.append(msg(7));
    await nextTurn();
    assert.deepEqual(c.read(100), fromRows(c, 100, 0));
  });

  test('drop_oldest clears it: no dropped record is read again', async () => {
    const c = journal().connector('default', 'a');
    for (let i = 0; i < 10; i++) c.append(msg(i));
    await nextTurn();
    assert.equal(c.read(3).length, 3);
    const limit = c.snapshot().pending_bytes;
    assert.equal(c.dropOldest(30, limit, 3), 3);
    const left = c.read(100, 3);
    assert.deepEqual(left, fromRows(c, 100, 3));
    assert.deepEqual(left.map((r) => r.offset), [7, 8, 9, 10]);
  });

  test('a backlog bigger than the tail is read whole and in order across tail and rows', async () => {
    const c = journal().connector('default', 'a');
    for (let i = 0; i < 25_000; i++) c.append(msg(i));
    await nextTurn();
    let after = 0;
    const seen: number[] = [];
    for (;;) {
      const batch = c.read(1000, after);
      if (batch.length === 0) break;
      for (const r of batch) seen.push(r.offset);
      after = batch[batch.length - 1]?.offset ?? after;
      c.commit({ upTo: after, written: batch.length, discarded: {}, deadLetters: [], retries: 0 }, batch);
    }
    assert.equal(seen.length, 25_000);
    assert.ok(seen.every((o, i) => o === i + 1));
    c.append(msg(1));
    await nextTurn();
    assert.deepEqual(c.read(10).map((r) => r.offset), [25_001]);
  });
});
