// Acceptance: the connector lifecycle on a real Mosquitto — pause/resume, update (PATCH and PUT)
// swapping the sink without loss, delete removing every trace, restart, a sink that cannot start
// (error state, then recovery by itself), and isolation between connectors.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { freePort } from '../helpers/server.js';
import { assertAccounting, countSeqs, duplicates, missing, primeWith, publishNumbered, range, readJsonLines, sleep, startWebhook, sluiceOnMosquitto } from '../helpers/runtime.js';

describe('connector lifecycle on a real Mosquitto', () => {
  const fx = sluiceOnMosquitto();

  const fileConnector = async (name: string, topic: string, path: string, extra: Record<string, unknown> = {}) => {
    await fx.api.create({ name, type: 'file', topic_filter: topic, config: { local_file_path: path }, delivery: { batch_size: 50, linger_ms: 10 }, ...extra });
    await fx.api.until(name, 'running', (s) => s.state === 'running');
  };

  test('pause stops writing while the journal fills; resume drains it', { timeout: 120_000 }, async () => {
    const out = join(fx.server.dir, 'pause.jsonl');
    await fileConnector('pause', 'life/pause', out);
    await primeWith(fx.api, 'pause', fx.url, 'life/pause', 0);
    await fx.api.until('pause', 'prime written', (s) => s.written === 1);

    const paused = await fx.api.ok<{ state: string }>('POST', '/api/v1/connectors/pause/pause');
    assert.equal(paused.state, 'paused');
    const pub = await publishNumbered({ url: fx.url, seqs: range(1, 301), topic: () => 'life/pause', clientId: 'pause-pub' });
    assert.equal(pub.acked.size, 300);
    const s = await fx.api.until('pause', 'journal filled', (x) => x.received === 301);
    assert.equal(s.pending, 300);
    assert.ok(s.journal_bytes > 0);
    assert.ok(s.oldest_pending_age_ms >= 0);
    assertAccounting(s);
    await sleep(500); // a paused connector must not write, even given time
    const still = await fx.api.status('pause');
    assert.equal(still.state, 'paused');
    assert.equal(still.written, 1);
    assert.equal(still.pending, 300);
    assert.equal(readJsonLines(out).length, 1, 'the sink got nothing while paused');

    const resumed = await fx.api.ok<{ state: string }>('POST', '/api/v1/connectors/pause/resume');
    assert.equal(resumed.state, 'running');
    const done = await fx.api.until('pause', 'drained', (x) => x.written === 301 && x.pending === 0);
    assertAccounting(done);
    const counts = countSeqs(readJsonLines(out));
    assert.deepEqual(missing(range(0, 301), counts), []);
    assert.equal(duplicates(counts), 0);
  });

  test('PATCH and PUT swap the sink mid-stream without losing a message', { timeout: 120_000 }, async () => {
    const [a, b, c] = ['swap-a.jsonl', 'swap-b.jsonl', 'swap-c.jsonl'].map((f) => join(fx.server.dir, f)) as [string, string, string];
    await fileConnector('swap', 'life/swap/+', a);
    await primeWith(fx.api, 'swap', fx.url, 'life/swap/x', 0);
    const N = 3000;
    let acks = 0;
    const publishing = publishNumbered({ url: fx.url, seqs: range(1, N), topic: (s) => `life/swap/${s % 2 ? 'x' : 'y'}`, window: 50, pause: { every: 50, ms: 30 }, clientId: 'swap-pub', onAck: () => (acks += 1) });

    await fx.api.until('swap', 'some written to A', (s) => s.written >= 500);
    const patched = await fx.api.ok<{ config: { local_file_path: string } }>('PATCH', '/api/v1/connectors/swap', { config: { local_file_path: b } });
    assert.equal(patched.config.local_file_path, b);
    const atPatch = acks;
    await fx.api.until('swap', 'more written (to B)', (s) => s.written >= 1500);
    const current = await fx.api.ok<Record<string, unknown>>('GET', '/api/v1/connectors/swap');
    const { type, topic_filter, failure_strategy, delivery } = current;
    await fx.api.ok('PUT', '/api/v1/connectors/swap', { type, topic_filter, failure_strategy, delivery, config: { local_file_path: c } });
    const atPut = acks;
    const pub = await publishing;
    assert.ok(atPatch < N - 1 && atPut < N - 1, `both updates landed mid-stream (at ${atPatch} and ${atPut} of ${N - 1})`);
    assert.equal(pub.acked.size, N - 1);
    const s = await fx.api.settled('swap', 1000);
    assert.equal(s.state, 'running');
    assertAccounting(s);
    assert.equal(s.written, N);
    assert.equal(s.received, N);

    const [ra, rb, rc] = [readJsonLines(a), readJsonLines(b), readJsonLines(c)];
    assert.ok(ra.length > 0 && rb.length > 0 && rc.length > 0, `every target got a share (A ${ra.length}, B ${rb.length}, C ${rc.length})`);
    const all = countSeqs([...ra, ...rb, ...rc]);
    assert.deepEqual(missing(range(0, N), all).slice(0, 20), [], 'messages missing across the updates');
    assert.equal(duplicates(all), 0, 'an update drains its batch: nothing is written twice');
    // each file holds one contiguous stretch of the journal, in order
    const lastA = Math.max(...ra.map((r) => r.offset as number));
    const firstB = Math.min(...rb.map((r) => r.offset as number));
    const lastB = Math.max(...rb.map((r) => r.offset as number));
    const firstC = Math.min(...rc.map((r) => r.offset as number));
    assert.ok(lastA < firstB && lastB < firstC, 'A, then B, then C');
  });

  test('pause and delete interrupt a long retry wait at once; the batch is kept and delivered after resume', { timeout: 60_000 }, async () => {
    const h = Object.assign(await startWebhook(), { failing: true });
    h.respond = () => (h.failing ? 429 : 200);
    fx.hooks.push(h);
    const body = { type: 'webhook', topic_filter: 'life/slow', config: { url: h.url }, failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 10, wait_time_ms: 60_000 }, delivery: { batch_size: 20, linger_ms: 10 } };
    await fx.api.create({ name: 'slow', ...body });
    await fx.api.until('slow', 'running', (s) => s.state === 'running');
    await primeWith(fx.api, 'slow', fx.url, 'life/slow', 0);
    await publishNumbered({ url: fx.url, seqs: range(1, 10), topic: () => 'life/slow', clientId: 'slow-pub' });
    await fx.api.until('slow', 'in a retry wait', (s) => s.retries > 0 && s.received === 10);

    const t0 = Date.now();
    const paused = await fx.api.ok<{ state: string }>('POST', '/api/v1/connectors/slow/pause');
    assert.ok(Date.now() - t0 < 3000, `pause returned in ${Date.now() - t0} ms despite a 60 s retry wait`);
    assert.equal(paused.state, 'paused');
    const s = await fx.api.status('slow');
    assert.equal(s.pending, 10, 'the interrupted batch stays pending: no outcome, no drop');
    assert.equal(s.discarded_total, 0);
    assertAccounting(s);

    h.failing = false;
    await fx.api.ok('POST', '/api/v1/connectors/slow/resume');
    const done = await fx.api.until('slow', 'delivered after resume', (x) => x.written === 10 && x.pending === 0);
    assertAccounting(done);
    assert.deepEqual(missing(range(0, 10), countSeqs(h.written)), []);

    // delete in the middle of a retry wait returns quickly too
    h.failing = true;
    await publishNumbered({ url: fx.url, seqs: range(10, 15), topic: () => 'life/slow', clientId: 'slow-pub2' });
    await fx.api.until('slow', 'retrying again', (x) => x.retries > done.retries);
    const t1 = Date.now();
    assert.equal((await fx.api.request('DELETE', '/api/v1/connectors/slow')).status, 204);
    assert.ok(Date.now() - t1 < 8000, `delete returned in ${Date.now() - t1} ms despite a 60 s retry wait`);
    assert.equal((await fx.api.request('GET', '/api/v1/connectors/slow/status')).status, 404);
  });

  test('restart: the connector comes back running, counters intact, new messages flow', { timeout: 60_000 }, async () => {
    const out = join(fx.server.dir, 'restart.jsonl');
    await fileConnector('rst', 'life/rst', out);
    await primeWith(fx.api, 'rst', fx.url, 'life/rst', 0);
    await publishNumbered({ url: fx.url, seqs: range(1, 50), topic: () => 'life/rst', clientId: 'rst-pub' });
    const before = await fx.api.until('rst', '50 written', (s) => s.written === 50);
    const r = await fx.api.ok<{ state: string; written: number }>('POST', '/api/v1/connectors/rst/restart');
    assert.equal(r.state, 'running');
    assert.equal(r.written, before.written);
    await fx.api.until('rst', 'source connected', (s) => s.source_connected);
    await publishNumbered({ url: fx.url, seqs: range(50, 100), topic: () => 'life/rst', clientId: 'rst-pub2' });
    const s = await fx.api.until('rst', '100 written', (x) => x.written === 100 && x.pending === 0);
    assertAccounting(s);
    const counts = countSeqs(readJsonLines(out));
    assert.deepEqual(missing(range(0, 100), counts), []);
    assert.equal(duplicates(counts), 0);
  });

  test('delete removes every trace; a re-create with the same name starts from zero', { timeout: 120_000 }, async () => {
    const h = await startWebhook(() => 429);
    fx.hooks.push(h);
    const body = {
      name: 'gone', type: 'webhook', topic_filter: 'life/gone', config: { url: h.url },
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 1, wait_time_ms: 10, topic_name: 'sluice/dlq/gone' },
      delivery: { batch_size: 10, linger_ms: 10 },
    };
    await fx.api.create(body);
    await fx.api.until('gone', 'running', (s) => s.state === 'running');
    await primeWith(fx.api, 'gone', fx.url, 'life/gone', 0);
    await publishNumbered({ url: fx.url, seqs: range(1, 20), topic: () => 'life/gone', clientId: 'gone-pub' });
    await fx.api.until('gone', '20 dead-lettered', (s) => s.dead_lettered === 20 && s.pending === 0);
    await fx.api.ok('POST', '/api/v1/connectors/gone/pause');
    await publishNumbered({ url: fx.url, seqs: range(20, 50), topic: () => 'life/gone', clientId: 'gone-pub2' });
    await fx.api.until('gone', '30 pending', (s) => s.pending === 30);

    const db = new Database(join(fx.server.dir, 'journal.db'), { readonly: true, fileMustExist: true });
    try {
      const idOf = () => (db.prepare('SELECT id FROM connector_state WHERE tenant = ? AND name = ?').get('default', 'gone') as { id: number } | undefined)?.id;
      const id = idOf();
      assert.ok(id !== undefined, 'the journal has the connector');
      const rows = (table: string, cid: number) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE connector_id = ?`).get(cid) as { n: number }).n;
      assert.ok(rows('journal', id) >= 30, 'the 30 pending records (and maybe committed ones not swept yet)');
      assert.equal(rows('dead_letters', id), 20);

      const series = async () => (await fx.api.metrics()).split('\n').filter((l) => l.startsWith('sluice_batch_duration_seconds_count{') && l.includes('name="gone"'));
      assert.ok((await series()).length > 0, 'the batch histogram has the connector');

      const del = await fx.api.request('DELETE', '/api/v1/connectors/gone');
      assert.equal(del.status, 204);
      assert.deepEqual(await series(), [], 'its histogram series are gone');
      assert.equal((await fx.api.request('GET', '/api/v1/connectors/gone/status')).status, 404);
      assert.equal((await fx.api.request('GET', '/api/v1/connectors/gone/dead-letters')).status, 404);
      assert.equal(idOf(), undefined, 'connector_state row deleted');
      assert.equal(rows('journal', id), 0, 'journal rows deleted');
      assert.equal(rows('dead_letters', id), 0, 'dead letters deleted');

      // published while the connector does not exist: its broker session is gone, so these are not queued for it
      await publishNumbered({ url: fx.url, seqs: range(1000, 1010), topic: () => 'life/gone', clientId: 'gone-pub3' });

      h.respond = () => 200;
      await fx.api.create(body);
      const fresh = await fx.api.until('gone', 'running again', (s) => s.state === 'running');
      assert.equal(fresh.written, 0);
      assert.equal(fresh.dead_lettered, 0);
      assert.equal(fresh.retries, 0);
      assert.equal(fresh.committed_offset, 0);
      assert.equal((await fx.api.ok<{ total: number }>('GET', '/api/v1/connectors/gone/dead-letters')).total, 0);
      assert.notEqual(idOf(), id, 'a new journal identity');
      // QoS 1 delivery is ordered: once the prime is in, anything queued on an old session would be too
      await primeWith(fx.api, 'gone', fx.url, 'life/gone', 5000);
      const s = await fx.api.until('gone', 'prime written', (x) => x.written === 1 && x.pending === 0);
      assert.equal(s.received, 1, 'nothing from before the delete (journal, or old broker session) came back');
      assertAccounting(s);
    } finally {
      db.close();
    }
  });

  test('a sink whose target is unreachable shows waiting with its message, recovers by itself; the other connector runs on', { timeout: 120_000 }, async () => {
    const okOut = join(fx.server.dir, 'bystander.jsonl');
    await fileConnector('bystander', 'life/ok', okOut);
    await primeWith(fx.api, 'bystander', fx.url, 'life/ok', 0);

    const port = await freePort(); // nothing listens there (yet)
    await fx.api.create({ name: 'broken', type: 'webhook', topic_filter: 'life/broken', config: { url: `http://127.0.0.1:${port}/hook`, timeout_ms: 1000 }, delivery: { batch_size: 20, linger_ms: 10 } });
    const err = await fx.api.until('broken', 'waiting state', (s) => s.state === 'waiting' && s.next_attempt_at !== null);
    assert.match(err.last_error ?? '', new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}`));
    assert.ok(err.last_error_at !== null);

    // the source of the failing connector still journals; the other connector is undisturbed
    await primeWith(fx.api, 'broken', fx.url, 'life/broken', 0);
    await publishNumbered({ url: fx.url, seqs: range(1, 50), topic: () => 'life/broken', clientId: 'broken-pub' });
    await publishNumbered({ url: fx.url, seqs: range(1, 200), topic: () => 'life/ok', clientId: 'ok-pub' });
    const ok = await fx.api.until('bystander', 'all written', (s) => s.written === 200 && s.pending === 0);
    assert.equal(ok.state, 'running');
    assertAccounting(ok);
    assert.deepEqual(missing(range(0, 200), countSeqs(readJsonLines(okOut))), []);
    const stillBroken = await fx.api.until('broken', '50 pending', (s) => s.pending === 50);
    assert.equal(stillBroken.state, 'waiting');
    assert.equal(stillBroken.written, 0);

    // the port opens: the connector recovers by itself and delivers what it journaled meanwhile
    const h = await startWebhook(() => 200, port);
    fx.hooks.push(h);
    const rec = await fx.api.until('broken', 'recovered', (s) => s.state === 'running' && s.written === 50 && s.pending === 0, 90_000);
    assertAccounting(rec);
    assert.deepEqual(missing(range(0, 50), countSeqs(h.written)), []);
    assert.equal((await fx.api.status('bystander')).state, 'running');
  });
});
