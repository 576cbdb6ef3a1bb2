// Acceptance: a journal bounded to 1 MiB while the sink is down and ~2 MiB of QoS 1 messages come
// in. backpressure: no silent drop — intake stops (journal_full in status and /metrics), the
// broker keeps the rest, and after the sink is back every PUBACKed message arrives.
// drop_oldest: the oldest pending records (never the batch in flight) are dropped, counted as
// discarded{journal_full}, and the accounting holds.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertAccounting, countSeqs, duplicates, metricValue, missing, primeWith, publishNumbered, range, readJsonLines, startWebhook, sluiceOnMosquitto } from '../helpers/runtime.js';

const MIB = 1024 * 1024;
const N = 2100; // × ~1 KiB ≈ 2 MiB
const PAD = 'x'.repeat(1000);
const payload = (seq: number): string => JSON.stringify({ seq, pad: PAD });

describe('the journal bound (max_journal_bytes = 1 MiB) on a real Mosquitto', () => {
  const fx = sluiceOnMosquitto();

  test('backpressure: intake stops at the bound, nothing dropped, everything PUBACKed arrives after the sink is back', { timeout: 180_000 }, async () => {
    const out = join(fx.server.dir, 'bound.jsonl');
    await fx.api.create({ name: 'bound', type: 'file', topic_filter: 'bound/+', config: { local_file_path: out }, desired_state: 'paused', delivery: { batch_size: 100, linger_ms: 10, max_journal_bytes: MIB, on_journal_full: 'backpressure' } });
    await fx.api.until('bound', 'paused', (s) => s.state === 'paused');
    await primeWith(fx.api, 'bound', fx.url, 'bound/a', 0, payload);

    const pub = await publishNumbered({ url: fx.url, seqs: range(1, N), topic: (s) => `bound/${s % 2 ? 'a' : 'b'}`, payload, window: 200, clientId: 'bound-pub' });
    assert.equal(pub.acked.size, N - 1, 'Mosquitto acknowledged everything (it queues what Sluice does not take)');
    const full = await fx.api.until('bound', 'journal full', (s) => s.journal_full);
    assert.ok(full.journal_bytes <= MIB, `journal_bytes ${full.journal_bytes} ≤ ${MIB}`);
    assert.ok(full.journal_bytes > MIB * 0.9, `the journal was filled up to its bound (${full.journal_bytes})`);
    assert.equal(full.max_journal_bytes, MIB);
    assert.equal(full.discarded_total, 0, 'no silent drop');
    assert.ok(full.received < N, `intake stopped (${full.received} received)`);
    assert.equal(full.source_connected, false, 'the source let go of the connection');
    assertAccounting(full);
    const m = await fx.api.metrics();
    const labels = { tenant: 'default', type: 'file', name: 'bound' };
    assert.equal(metricValue(m, 'sluice_journal_full', labels), 1);
    assert.equal(metricValue(m, 'sluice_journal_bytes', labels), full.journal_bytes);
    assert.equal(metricValue(m, 'sluice_pending', labels), full.pending);

    // the sink comes back: the journal drains, intake resumes, the broker hands over the rest
    await fx.api.ok('POST', '/api/v1/connectors/bound/resume');
    const s = await fx.api.until('bound', 'everything written', (x) => x.written >= N && x.pending === 0, 120_000);
    const settled = await fx.api.settled('bound', 1000);
    assertAccounting(settled);
    assert.equal(settled.journal_full, false);
    assert.equal(settled.source_connected, true);
    assert.equal(settled.discarded_total, 0);
    const counts = countSeqs(readJsonLines(out));
    assert.deepEqual(missing([0, ...pub.acked], counts).slice(0, 20), [], 'PUBACKed messages missing');
    // before a full source lets go of its connection it commits the open group and flushes its
    // PUBACKs: the broker resends only what was never journaled, so no cycle makes a duplicate
    const journalDups = settled.received - counts.size;
    console.log(`[journal-bound] backpressure: ${settled.received} journaled for ${counts.size} distinct → ${journalDups} duplicates, ${duplicates(counts)} in the file`);
    assert.equal(journalDups, 0, 'full/resume cycles journaled messages twice');
    assert.equal(duplicates(counts), 0);
    assert.equal(settled.written, settled.received);
    assert.ok(s.written >= N);
    assert.equal(metricValue(await fx.api.metrics(), 'sluice_journal_full', labels), 0);
  });

  test('drop_oldest: the oldest pending records go, counted as discarded{journal_full}; the batch in flight stays', { timeout: 180_000 }, async () => {
    const h = Object.assign(await startWebhook(), { failing: true });
    h.respond = () => (h.failing ? 429 : 200);
    fx.hooks.push(h);
    const BATCH = 50;
    await fx.api.create({
      name: 'dropper', type: 'webhook', topic_filter: 'drop/+', config: { url: h.url },
      failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 1000, wait_time_ms: 100 },
      delivery: { batch_size: BATCH, linger_ms: 0, max_journal_bytes: MIB, on_journal_full: 'drop_oldest' },
    });
    await fx.api.until('dropper', 'running', (s) => s.state === 'running');
    await primeWith(fx.api, 'dropper', fx.url, 'drop/a', 0, payload);
    // the prime is the batch in flight, retried against the 429s (throttled); the rest pile up behind it
    await fx.api.until('dropper', 'retrying', (s) => s.retries > 0);

    const pub = await publishNumbered({ url: fx.url, seqs: range(1, N), topic: (s) => `drop/${s % 2 ? 'a' : 'b'}`, payload, window: 200, clientId: 'drop-pub' });
    assert.equal(pub.acked.size, N - 1);
    const full = await fx.api.until('dropper', 'all received', (s) => s.received === N);
    assert.ok((full.discarded.journal_full ?? 0) > 0, `drops counted: ${JSON.stringify(full.discarded)}`);
    assert.equal(full.discarded_total, full.discarded.journal_full);
    assert.ok(full.journal_bytes <= MIB, `journal_bytes ${full.journal_bytes} ≤ ${MIB}`);
    assert.equal(full.journal_full, false, 'drop_oldest never stops intake');
    assert.equal(full.written, 0);
    assertAccounting(full);
    const labels = { tenant: 'default', type: 'webhook', name: 'dropper' };
    assert.equal(metricValue(await fx.api.metrics(), 'sluice_discarded_total', { ...labels, reason: 'journal_full' }), full.discarded.journal_full);

    h.failing = false;
    const s = await fx.api.until('dropper', 'drained', (x) => x.pending === 0 && x.written > 0, 60_000);
    assertAccounting(s);
    assert.equal(s.received, N);
    assert.equal(s.written + (s.discarded.journal_full ?? 0), N);
    const counts = countSeqs(h.written);
    assert.equal(duplicates(counts), 0);
    assert.equal(counts.size, s.written);
    assert.ok(counts.has(0), 'the batch in flight (the prime) was not dropped under the sink');
    // what survived is the newest stretch: every dropped number is older than every kept one (bar the in-flight prime)
    const kept = [...counts.keys()].filter((x) => x !== 0).sort((a, b) => a - b);
    const firstKept = kept[0] as number;
    assert.deepEqual(kept, range(firstKept, N), 'the kept records are the newest ones, contiguous');
    assert.equal(firstKept - 1, s.discarded.journal_full, 'exactly the oldest ones were dropped');
  });
});
