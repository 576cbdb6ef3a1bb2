// The plain-JavaScript evaluator (src/core/transform/fast-path.ts) against JSONata itself: for
// every expression it takes and every input, the same value, or the same error (it hands the
// input to JSONata whenever it would differ).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsonata from 'jsonata';
import { compileExpression } from '../../src/core/transform/expression.js';
import { compileFast } from '../../src/core/transform/fast-path.js';

const FAST = [
  'payload.seq % 10 != 9',
  'payload.temp > 30 and topic_levels[1] = "site-7"',
  '$not($exists(payload.seq)) or payload.seq % 2 = 0',
  '{ "seq": payload.seq, "t": payload.t, "source": topic_levels[1] }',
  '{ "device": topic_levels[-1], "f": payload.c * 1.8 + 32, "neg": -payload.c }',
  '"out/" & topic_levels[0] & "/" & payload.kind',
  'payload.a.b.c',
  'payload.v >= 10 ? "high" : "low"',
  'payload.v < 0 ? "negative"',
  '$uppercase(payload.name)',
  '$lowercase(payload)',
  '(payload.x / payload.y)',
  'payload.s <= "m"',
  'payload.flag or payload.other',
  'properties.user_properties.tenant = "acme"',
  'payload = null',
  'payload.list[0]',
  'payload.n != payload.m',
  'qos = 1 and retain = false',
  'payload.items.value',
];
const SLOW = ['$string(payload)', '[1, 2]', 'payload ~> $count()', '$sum(payload.list)', 'payload[v > 1]', '{ "a": 1, "a": 2 }'];

const payloads: unknown[] = [
  { seq: 19, t: 5, temp: 31, c: 20, kind: 'alarm', a: { b: { c: 7 } }, v: 12, name: 'x', x: 1, y: 4, s: 'k', flag: false, other: 'yes', n: 1, m: 1, list: [3, 4] },
  { seq: 4, temp: 29.5, c: -3.5, kind: 3, a: { b: null }, v: -2, name: 5, x: 1, y: 0, s: 'z', flag: true, list: [[1]] },
  { seq: '7', temp: '31', c: 'hot', a: [{ b: { c: 1 } }], v: '12', s: 3, n: 'a', m: 'a', other: [] },
  { items: [{ value: 1 }, { value: 2 }], list: [] },
  [1, 2, 3],
  'plain text',
  'ABC',
  42,
  null,
  {},
  { seq: 0, temp: 31, c: 0, v: 0, flag: 0, other: '', n: null, m: null, list: 'solo' },
];
const topics = ['plant/site-7/dev-1', 'a', 'x//y'];

const inputs = payloads.flatMap((payload) => topics.map((topic) => ({
  payload, topic, topic_levels: topic.split('/'), qos: 1, retain: false, timestamp: 1, id: 'r-1',
  properties: { user_properties: topic === 'a' ? { tenant: 'acme' } : {} },
})));

async function outcome(f: () => Promise<unknown>): Promise<{ value?: unknown; error?: string }> {
  try {
    const value = await f();
    return { value: value === undefined ? undefined : JSON.parse(JSON.stringify(value)) as unknown };
  } catch (e) {
    return { error: (e as Error).message.replace(/^[^:]+: /, '') };
  }
}

test('the subset it mirrors is compiled; anything else is left to JSONata', () => {
  for (const src of FAST) assert.ok(compileFast(jsonata(src).ast()), `compiled: ${src}`);
  for (const src of SLOW) assert.equal(compileFast(jsonata(src).ast()), undefined, `left to JSONata: ${src}`);
});

test('every expression, every input: the same value or the same error as JSONata', async () => {
  let compared = 0;
  for (const src of [...FAST, ...SLOW]) {
    const ours = compileExpression('e', src, { timeout_ms: 1000, max_depth: 200 });
    const theirs = jsonata(src);
    for (const input of inputs) {
      const a = await outcome(() => ours.evaluate(input));
      const b = await outcome(() => theirs.evaluate(input));
      if (b.error !== undefined) {
        assert.ok(a.error !== undefined, `${src} on ${JSON.stringify(input.payload)} / ${input.topic}: JSONata fails (${b.error}), ours gave ${JSON.stringify(a.value)}`);
      } else {
        assert.deepEqual(a, b, `${src} on ${JSON.stringify(input.payload)} / ${input.topic}`);
      }
      compared++;
    }
  }
  assert.equal(compared, (FAST.length + SLOW.length) * inputs.length);
});
