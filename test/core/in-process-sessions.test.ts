// The embedded broker's in-process sessions: a publisher is acknowledged only when every
// matching session has taken the message; a full consumer holds messages in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Delivery, SessionConsumer } from '../../src/mqtt/in-process-broker.js';
import { SessionRegistry } from '../../src/core/in-process-sessions.js';

class Consumer implements SessionConsumer {
  taken: Delivery[] = [];
  full = false;
  drops = 0;
  deliver(d: Delivery): 'ok' | 'full' {
    if (this.full) return 'full';
    this.taken.push(d);
    return 'ok';
  }
  dropped(n: number): void {
    this.drops += n;
  }
}

const msg = (topic: string, n: number, qos: 0 | 1 | 2 = 1) => ({ topic, payload: Buffer.from(String(n)), qos, retain: false });

test('acknowledged once every matching session acknowledged', () => {
  const r = new SessionRegistry();
  const a = new Consumer();
  const b = new Consumer();
  r.attach('a', 't/#', 1, a);
  r.attach('b', 't/x', 2, b);
  r.attach('c', 'other', 1, new Consumer());
  const outcomes: boolean[] = [];
  r.dispatch(msg('t/x', 1), (ok) => outcomes.push(ok));
  assert.equal(a.taken.length, 1);
  assert.equal(b.taken.length, 1);
  assert.equal(outcomes.length, 0);
  a.taken[0]?.ack();
  assert.equal(outcomes.length, 0);
  b.taken[0]?.ack();
  b.taken[0]?.ack();
  assert.deepEqual(outcomes, [true]);
  // no session matches: acknowledged at once
  r.dispatch(msg('nobody', 2), (ok) => outcomes.push(ok));
  assert.deepEqual(outcomes, [true, true]);
});

test('a failed delivery fails the publish', () => {
  const r = new SessionRegistry();
  const a = new Consumer();
  r.attach('a', '#', 1, a);
  const outcomes: boolean[] = [];
  r.dispatch(msg('t', 1), (ok) => outcomes.push(ok));
  a.taken[0]?.fail();
  a.taken[0]?.ack();
  assert.deepEqual(outcomes, [false]);
});

test('the subscription QoS caps the delivered QoS', () => {
  const r = new SessionRegistry();
  const a = new Consumer();
  r.attach('a', '#', 0, a);
  r.dispatch(msg('t', 1, 2), () => undefined);
  assert.equal(a.taken[0]?.message.qos, 0);
});

test('a full or detached consumer: held in order, not acknowledged, drained later', () => {
  const r = new SessionRegistry();
  const a = new Consumer();
  const s = r.attach('a', '#', 1, a);
  a.full = true;
  const acked: number[] = [];
  for (let i = 1; i <= 3; i++) r.dispatch(msg('t', i), () => acked.push(i));
  assert.equal(a.taken.length, 0);
  s.detach();
  r.dispatch(msg('t', 4), () => acked.push(4));
  const again = new Consumer();
  const s2 = r.attach('a', '#', 1, again);
  assert.equal(s2.drain(), true);
  assert.deepEqual(again.taken.map((d) => d.message.payload.toString()), ['1', '2', '3', '4']);
  assert.equal(acked.length, 0);
  for (const d of again.taken) d.ack();
  assert.deepEqual(acked, [1, 2, 3, 4]);
});

test('discarding a session acknowledges what it held', () => {
  const r = new SessionRegistry();
  const a = new Consumer();
  a.full = true;
  r.attach('a', '#', 1, a);
  const acked: boolean[] = [];
  r.dispatch(msg('t', 1), (ok) => acked.push(ok));
  r.discard('a');
  assert.deepEqual(acked, [true]);
});

test('a share group gets each message once, in turn', () => {
  const r = new SessionRegistry();
  const a = new Consumer();
  const b = new Consumer();
  r.attach('a', '$share/g/t', 1, a);
  r.attach('b', '$share/g/t', 1, b);
  for (let i = 0; i < 4; i++) r.dispatch(msg('t', i), () => undefined);
  assert.equal(a.taken.length, 2);
  assert.equal(b.taken.length, 2);
});
