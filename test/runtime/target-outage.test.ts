// Acceptance: an unavailable target makes the connector wait, it never uses up retries or drops.
// A webhook answering 503 for 10 s while 2,000 messages arrive (default failure strategy), and a
// webhook refusing the connector's token until a PATCH fixes it, on a real Mosquitto.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAccounting, countSeqs, metricValue, missing, primeWith, publishNumbered, range, sleep, startWebhook, sluiceOnMosquitto, type Status, waitFor } from '../helpers/runtime.js';

describe('an unavailable target: the connector waits, nothing is lost', () => {
  const fx = sluiceOnMosquitto();

  for (const inFlight of [1, 4]) {
  test(`webhook 503 for 10 s, 2,000 messages, default strategy, ${inFlight} batch${inFlight === 1 ? '' : 'es'} in flight → all 2,000 delivered, none discarded or charged`, { timeout: 180_000 }, async () => {
    const name = `down${inFlight}`;
    const h = await startWebhook();
    fx.hooks.push(h);
    let downUntil = 0;
    h.respond = () => (Date.now() < downUntil ? 503 : 200);
    // no failure_strategy: the default
    await fx.api.create({ name, type: 'webhook', topic_filter: `${name}/#`, config: { url: h.url }, delivery: { batch_size: 100, linger_ms: 10, max_in_flight: inFlight } });
    await fx.api.until(name, 'running', (s) => s.state === 'running');
    await primeWith(fx.api, name, fx.url, `${name}/a`, 0);
    await fx.api.until(name, 'prime written', (s) => s.written === 1);

    downUntil = Date.now() + 10_000;
    // watched while it happens: on a loaded machine the publishing alone may outlast the outage
    let waiting: Status | undefined;
    const watch = setInterval(() => {
      void fx.api.status(name).then((s) => {
        if (!waiting && s.state === 'waiting') waiting = s;
      }, () => undefined);
    }, 100);
    const pub = await publishNumbered({ url: fx.url, seqs: range(1, 2000), topic: () => `${name}/a`, window: 100, clientId: `${name}-pub` });
    assert.equal(pub.acked.size, 1999);
    await waitFor('the waiting state seen', () => waiting, { timeoutMs: 15_000 }).finally(() => clearInterval(watch));
    assert.ok(waiting);
    assert.equal(waiting.desired_state, 'running');
    assert.ok(waiting.waiting_since !== null && waiting.waiting_since <= Date.now());
    assert.ok(waiting.next_attempt_at !== null && waiting.next_attempt_at >= (waiting.waiting_since ?? 0));
    assert.match(waiting.last_error ?? '', /HTTP 503/);
    assert.equal(waiting.retries, 0, 'an outage charges no retry');
    if (Date.now() < downUntil - 1000) {
      const m = await fx.api.metrics();
      assert.equal(metricValue(m, 'sluice_connector_state', { tenant: 'default', type: 'webhook', name, state: 'waiting' }), 1);
    }

    const s = await fx.api.until(name, 'all 2,000 written', (x) => x.written === 2000 && x.pending === 0, 90_000);
    assert.equal(s.state, 'running');
    assert.equal(s.waiting_since, null);
    assert.equal(s.discarded_total, 0);
    assert.equal(s.dead_lettered, 0);
    assert.equal(s.retries, 0);
    assertAccounting(s);
    const counts = countSeqs(h.written);
    assert.deepEqual(missing(range(0, 2000), counts), []);
    assert.equal(h.written.length, 2000, 'a 503 writes nothing, so nothing is written twice');
    // one batch in flight keeps the journal's order across the wait (several may land out of order)
    const seqs = h.written.map((r) => (JSON.parse(r.payload) as { seq: number }).seq);
    if (inFlight === 1) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.ok((h.answered.get(503) ?? 0) >= 3, `the batch was tried again during the outage (${h.answered.get(503)} × 503)`);
    assert.ok((h.answered.get(503) ?? 0) <= 20 * inFlight, `with a capped backoff, not hammered: ${h.answered.get(503)} × 503 in 10 s`);
  });
  }

  test('wrong token → waiting with the refusal, nothing discarded or bisected; PATCH with the right one → everything delivered', { timeout: 120_000 }, async () => {
    const h = await startWebhook();
    fx.hooks.push(h);
    h.respond = (_records, headers) => (headers.authorization === 'Bearer right' ? 200 : 401);
    await fx.api.create({
      name: 'auth', type: 'webhook', topic_filter: 'auth/#', delivery: { batch_size: 50, linger_ms: 10 },
      config: { url: h.url, auth_type: 'bearer', bearer_token: 'wrong' },
      failure_strategy: { strategy: 'discard' },
    });
    await fx.api.until('auth', 'subscribed', (s) => s.source_connected);
    await sleep(300);
    const pub = await publishNumbered({ url: fx.url, seqs: range(0, 200), topic: () => 'auth/x', window: 50, clientId: 'auth-pub' });
    assert.equal(pub.acked.size, 200);
    const w = await fx.api.until('auth', 'waiting with the refusal', (s) => s.state === 'waiting' && /HTTP 401/.test(s.last_error ?? '') && s.received === 200, 20_000);
    assert.ok(!(w.last_error ?? '').includes('wrong'), 'the token is not in the error');
    await sleep(2000);
    const still = await fx.api.status('auth');
    assert.equal(still.state, 'waiting');
    assert.equal(still.discarded_total, 0, 'even with strategy discard, an unavailable target drops nothing');
    assert.equal(still.retries, 0);
    assert.equal(still.pending, 200);
    assert.ok(h.requestSizes.length >= 2);
    assert.ok(h.requestSizes.every((n) => n === h.requestSizes[0]), `never bisected: every attempt sent the whole batch (${h.requestSizes.join(',')})`);

    await fx.api.ok('PATCH', '/api/v1/connectors/auth', { config: { bearer_token: 'right' } });
    const s = await fx.api.until('auth', 'all 200 written', (x) => x.written === 200 && x.pending === 0, 30_000);
    assert.equal(s.state, 'running');
    assert.equal(s.discarded_total, 0);
    assertAccounting(s);
    assert.deepEqual(missing(range(0, 200), countSeqs(h.written)), []);
  });
});
