// Acceptance: one poison record in a batch of 100. The webhook rejects (400) every request whose
// array holds a record with payload POISON: the core bisects the permanent failure, dead-letters
// (or discards) exactly that record, and the 99 others are written once each.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAccounting, countSeqs, missing, primeWith, publishNumbered, range, seqPayload, startWebhook, subscribe, waitFor, type WebhookServer, sluiceOnMosquitto } from '../helpers/runtime.js';

const POISON_AT = 57;

describe('a poison record in a batch of 100', () => {
  const fx = sluiceOnMosquitto();

  /** A webhook that answers 400 to any request holding POISON; records every request's size. */
  const poisonHook = async (): Promise<WebhookServer & { sizes: number[] }> => {
    const h = Object.assign(await startWebhook(), { sizes: [] as number[] });
    h.respond = (records) => {
      h.sizes.push(records.length);
      return records.some((r) => r.payload === 'POISON') ? 400 : 200;
    };
    fx.hooks.push(h);
    return h;
  };

  /** 100 records journaled while paused (seq 0 primes the subscription), POISON at POISON_AT. */
  const fill = async (name: string, topic: string): Promise<void> => {
    await fx.api.until(name, 'paused', (s) => s.state === 'paused');
    await primeWith(fx.api, name, fx.url, topic, 0);
    const payload = (seq: number) => (seq === POISON_AT ? 'POISON' : seqPayload(seq));
    const pub = await publishNumbered({ url: fx.url, seqs: range(1, 100), topic: () => topic, payload, clientId: `${name}-pub` });
    assert.equal(pub.acked.size, 99);
    const s = await fx.api.until(name, '100 pending', (x) => x.pending === 100);
    assert.equal(s.written, 0);
  };

  test('dead_message_queue: exactly the poison record is dead-lettered, the other 99 are written', { timeout: 120_000 }, async () => {
    const h = await poisonHook();
    const DLQ = 'sluice/dlq/poison';
    const sub = await subscribe(fx.url, DLQ);
    try {
      await fx.api.create({
        name: 'poison', type: 'webhook', topic_filter: 'poison/in', config: { url: h.url }, desired_state: 'paused',
        failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 3, wait_time_ms: 2000, topic_name: DLQ },
        delivery: { batch_size: 100, linger_ms: 2000 },
      });
      await fill('poison', 'poison/in');
      await fx.api.ok('POST', '/api/v1/connectors/poison/resume');
      const s = await fx.api.until('poison', 'all 100 with an outcome', (x) => x.pending === 0 && x.written + x.dead_lettered === 100, 30_000);

      assert.equal(h.sizes[0], 100, `the first request carried the whole batch (sizes ${JSON.stringify(h.sizes)})`);
      assert.equal(s.dead_lettered, 1);
      assert.equal(s.written, 99);
      assert.equal(s.discarded_total, 0);
      assert.equal(s.retries, 0, 'a permanent error skips the retries');
      assertAccounting(s);
      assert.ok(h.sizes.length <= 2 * Math.ceil(Math.log2(100)) + 1, `bisection took ${h.sizes.length} requests`);

      // the webhook got the 99 good records exactly once, never POISON
      assert.equal(h.written.length, 99);
      assert.ok(h.written.every((r) => r.payload !== 'POISON'));
      const counts = countSeqs(h.written);
      assert.deepEqual(missing(range(0, 100).filter((x) => x !== POISON_AT), counts), []);
      assert.equal(counts.size, 99);

      // the dead letter: that one record, with the 400 and no retries
      const list = await fx.api.ok<{ total: number; items: { payload: string; error_message: string; retry_times: number; source_topic: string }[] }>('GET', '/api/v1/connectors/poison/dead-letters');
      assert.equal(list.total, 1);
      const d = list.items[0];
      assert.equal(d?.payload, 'POISON');
      assert.equal(d?.source_topic, 'poison/in');
      assert.equal(d?.retry_times, 0);
      assert.match(d?.error_message ?? '', /HTTP 400/);
      await waitFor('the dead letter on MQTT', () => sub.messages.length >= 1);
      assert.equal(sub.messages.length, 1);
      assert.equal((JSON.parse(sub.messages[0]?.payload.toString() ?? '{}') as { payload: string }).payload, 'POISON');
    } finally {
      await sub.close();
    }
  });

  test('discard_after_retry: the poison record is discarded as permanent_error at once, the 99 are written', { timeout: 120_000 }, async () => {
    const h = await poisonHook();
    await fx.api.create({
      name: 'poison-drop', type: 'webhook', topic_filter: 'poison/drop', config: { url: h.url }, desired_state: 'paused',
      failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 5, wait_time_ms: 2000 },
      delivery: { batch_size: 100, linger_ms: 2000 },
    });
    await fill('poison-drop', 'poison/drop');
    await fx.api.ok('POST', '/api/v1/connectors/poison-drop/resume');
    const s = await fx.api.until('poison-drop', 'all 100 with an outcome', (x) => x.pending === 0 && x.written + x.discarded_total === 100, 30_000);
    assert.equal(h.sizes[0], 100);
    assert.equal(s.written, 99);
    assert.deepEqual(s.discarded, { permanent_error: 1 });
    assert.equal(s.retries, 0);
    assertAccounting(s);
    assert.equal(h.written.length, 99);
    assert.equal(countSeqs(h.written).size, 99);
  });
});
