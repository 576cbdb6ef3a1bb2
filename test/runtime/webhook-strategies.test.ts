// Acceptance: the three failure strategies against a local webhook that answers 429 for a while
// and 200 afterwards, with the source on a real Mosquitto: retries then delivery; drops counted by
// reason in status and /metrics; dead letters on the MQTT topic and in the API, replayed and purged.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeadLetterItem } from '../../src/core/runtime-port.js';
import { assertAccounting, countSeqs, metricValue, missing, primeWith, publishNumbered, range, startWebhook, subscribe, waitFor, type WebhookServer, sluiceOnMosquitto } from '../helpers/runtime.js';

/** A dead letter as published on MQTT (with the tenant) or listed by the API (with its id). */
type DeadLetterJson = Omit<DeadLetterItem, 'id'> & { id?: number; tenant?: string };

describe('webhook failure strategies on a real Mosquitto', () => {
  const fx = sluiceOnMosquitto();

  const hook = async (): Promise<WebhookServer & { failing: boolean }> => {
    const h = Object.assign(await startWebhook(), { failing: true });
    h.respond = () => (h.failing ? 429 : 200);
    fx.hooks.push(h);
    return h;
  };

  test('discard_after_retry: 429 for a while, then 200 → everything delivered, retries counted', { timeout: 120_000 }, async () => {
    const h = await hook();
    await fx.api.create({
      name: 'retry', type: 'webhook', topic_filter: 'retry/#', config: { url: h.url },
      failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 200, wait_time_ms: 25 },
      delivery: { batch_size: 50, linger_ms: 10 },
    });
    await fx.api.until('retry', 'running', (s) => s.state === 'running');
    h.failing = false;
    await primeWith(fx.api, 'retry', fx.url, 'retry/a', 0);
    await fx.api.until('retry', 'prime written', (s) => s.written === 1);
    h.failing = true;
    const pub = await publishNumbered({ url: fx.url, seqs: range(1, 200), topic: (s) => `retry/${s % 2 ? 'a' : 'b'}`, clientId: 'retry-pub' });
    assert.equal(pub.acked.size, 199);
    // five 429s in a row: the status shows the retries and the error while they go on
    const failing = await fx.api.until('retry', 'retries under way', (s) => (h.answered.get(429) ?? 0) >= 5 && s.retries >= 4);
    assert.equal(failing.written, 1, 'nothing written while the webhook answers 429');
    assert.equal(failing.discarded_total, 0);
    assert.match(failing.last_error ?? '', /HTTP 429/);
    h.failing = false;

    const s = await fx.api.until('retry', 'all 200 written', (x) => x.written === 200 && x.pending === 0, 60_000);
    const counts = countSeqs(h.written);
    assert.deepEqual(missing(range(0, 200), counts), []);
    assert.equal(h.written.length, 200, 'a 429 writes nothing, so nothing is sent twice');
    assertAccounting(s);
    assert.equal(s.received, 200);
    assert.equal(s.discarded_total, 0);
    assert.ok(s.retries >= 4, `retries counted: ${s.retries}`);
    assert.ok(s.retries >= failing.retries);
    const m = await fx.api.metrics();
    const labels = { tenant: 'default', type: 'webhook', name: 'retry' };
    assert.equal(metricValue(m, 'sluice_retries_total', labels), s.retries);
    assert.equal(metricValue(m, 'sluice_written_total', labels), 200);
  });

  test('discard: failed records are dropped at once, counted as retriable_error in status and /metrics', { timeout: 120_000 }, async () => {
    const h = await hook();
    await fx.api.create({ name: 'drop', type: 'webhook', topic_filter: 'drop/#', config: { url: h.url }, failure_strategy: { strategy: 'discard' }, delivery: { batch_size: 20, linger_ms: 10 } });
    await fx.api.until('drop', 'running', (s) => s.state === 'running');
    await primeWith(fx.api, 'drop', fx.url, 'drop/x', 0);
    const pub = await publishNumbered({ url: fx.url, seqs: range(1, 100), topic: () => 'drop/x', clientId: 'drop-pub' });
    assert.equal(pub.acked.size, 99);
    const s = await fx.api.until('drop', '100 discarded', (x) => x.discarded_total === 100 && x.pending === 0);
    assert.deepEqual(s.discarded, { retriable_error: 100 });
    assert.equal(s.written, 0);
    assert.equal(s.retries, 0, 'discard never retries');
    assert.equal(h.written.length, 0);
    assertAccounting(s);
    const m = await fx.api.metrics();
    const labels = { tenant: 'default', type: 'webhook', name: 'drop' };
    assert.equal(metricValue(m, 'sluice_discarded_total', { ...labels, reason: 'retriable_error' }), 100);
    assert.equal(metricValue(m, 'sluice_received_total', labels), 100);
    assert.equal(metricValue(m, 'sluice_pending', labels), 0);

    // the webhook recovers: new messages are written, the drops stay counted
    h.failing = false;
    await publishNumbered({ url: fx.url, seqs: range(100, 150), topic: () => 'drop/x', clientId: 'drop-pub2' });
    const s2 = await fx.api.until('drop', '50 written', (x) => x.written === 50 && x.pending === 0);
    assert.deepEqual(missing(range(100, 150), countSeqs(h.written)), []);
    assert.deepEqual(s2.discarded, { retriable_error: 100 });
    assertAccounting(s2);
  });

  test('dead_message_queue: dead letters on the MQTT topic and in the API; replay delivers them; purge', { timeout: 120_000 }, async () => {
    const h = await hook();
    const DLQ = 'sluice/dlq/orders';
    const sub = await subscribe(fx.url, DLQ);
    try {
      await fx.api.create({
        name: 'dlq', type: 'webhook', topic_filter: 'orders/+', config: { url: h.url },
        failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 2, wait_time_ms: 20, topic_name: DLQ },
        delivery: { batch_size: 10, linger_ms: 10 },
      });
      await fx.api.until('dlq', 'running', (s) => s.state === 'running');
      await primeWith(fx.api, 'dlq', fx.url, 'orders/eu', 0);
      const before = Date.now();
      await publishNumbered({ url: fx.url, seqs: range(1, 20), topic: (s) => (s % 2 ? 'orders/eu' : 'orders/us'), clientId: 'dlq-pub' });
      // one binary payload: it travels as base64
      const binary = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
      await publishNumbered({ url: fx.url, seqs: [20], topic: () => 'orders/bin', payload: () => binary, clientId: 'dlq-pub-bin' });
      const s = await fx.api.until('dlq', '21 dead-lettered', (x) => x.dead_lettered === 21 && x.pending === 0);
      assertAccounting(s);
      assert.equal(s.written, 0);
      assert.equal(s.discarded_total, 0);

      // on the MQTT topic, QoS 1, one JSON message per dead letter
      await waitFor('21 dead letters on the MQTT topic', () => sub.messages.length >= 21);
      const letters = sub.messages.map((m) => {
        assert.equal(m.topic, DLQ);
        return JSON.parse(m.payload.toString('utf8')) as DeadLetterJson;
      });
      assert.equal(letters.length, 21);
      for (const d of letters) {
        assert.equal(d.connector_name, 'dlq');
        assert.match(d.source_topic, /^orders\/(eu|us|bin)$/);
        assert.match(d.error_message, /HTTP 429/);
        assert.equal(d.retry_times, 2);
        assert.equal(typeof d.original_timestamp, 'number');
        assert.equal(typeof d.dead_letter_timestamp, 'number');
        assert.ok(d.dead_letter_timestamp >= d.original_timestamp);
        assert.ok(d.original_timestamp >= before - 60_000);
      }
      const text = letters.filter((d) => d.source_topic !== 'orders/bin');
      assert.ok(text.every((d) => d.payload_encoding === 'utf8'));
      assert.deepEqual(missing(range(0, 20), countSeqs(text)), []);
      const bin = letters.find((d) => d.source_topic === 'orders/bin');
      assert.ok(bin, 'the binary dead letter');
      assert.equal(bin.payload_encoding, 'base64');
      assert.deepEqual(Buffer.from(bin.payload, 'base64'), binary);
      const seq3 = text.find((d) => d.payload === JSON.stringify({ seq: 3 }));
      assert.equal(seq3?.source_topic, 'orders/eu');

      // in the API
      const list = await fx.api.ok<{ items: DeadLetterJson[]; total: number }>('GET', '/api/v1/connectors/dlq/dead-letters?limit=1000');
      assert.equal(list.total, 21);
      assert.equal(list.items.length, 21);
      assert.deepEqual(list.items.map((d) => d.payload).sort(), letters.map((d) => d.payload).sort());
      const one = list.items.find((d) => d.source_topic === 'orders/bin');
      assert.ok(one?.id);
      const got = await fx.api.ok<DeadLetterJson>('GET', `/api/v1/connectors/dlq/dead-letters/${one.id}`);
      assert.equal(got.payload_encoding, 'base64');
      assert.equal(got.payload, binary.toString('base64'));
      assert.equal(got.connector_name, 'dlq');
      assert.equal(got.retry_times, 2);

      // the webhook recovers: replay delivers every dead letter and empties the table
      h.failing = false;
      const replay = await fx.api.ok<{ replayed: number; failed: number }>('POST', '/api/v1/connectors/dlq/dead-letters/replay', {});
      assert.deepEqual(replay, { replayed: 21, failed: 0 });
      assert.deepEqual(missing(range(0, 20), countSeqs(h.written.filter((r) => r.topic !== 'orders/bin'))), []);
      const replayedBin = h.written.find((r) => r.topic === 'orders/bin');
      assert.equal(replayedBin?.payload_encoding, 'base64');
      assert.deepEqual(Buffer.from(replayedBin.payload, 'base64'), binary);
      const empty = await fx.api.ok<{ total: number }>('GET', '/api/v1/connectors/dlq/dead-letters');
      assert.equal(empty.total, 0);
      const afterReplay = await fx.api.status('dlq');
      assert.equal(afterReplay.dlq_replayed, 21);
      assert.equal(afterReplay.dead_lettered, 21, 'replayed letters stay counted as dead-lettered');
      assertAccounting(afterReplay);

      // new dead letters, then purge
      h.failing = true;
      await publishNumbered({ url: fx.url, seqs: range(100, 105), topic: () => 'orders/eu', clientId: 'dlq-pub2' });
      await fx.api.until('dlq', '26 dead-lettered', (x) => x.dead_lettered === 26 && x.pending === 0);
      const five = await fx.api.ok<{ total: number }>('GET', '/api/v1/connectors/dlq/dead-letters');
      assert.equal(five.total, 5);
      const purged = await fx.api.ok<{ purged: number }>('DELETE', '/api/v1/connectors/dlq/dead-letters');
      assert.deepEqual(purged, { purged: 5 });
      const none = await fx.api.ok<{ total: number }>('GET', '/api/v1/connectors/dlq/dead-letters');
      assert.equal(none.total, 0);
      assertAccounting(await fx.api.status('dlq'));
      await waitFor('26 dead letters on the MQTT topic', () => sub.messages.length >= 26);
    } finally {
      await sub.close();
    }
  });
});
