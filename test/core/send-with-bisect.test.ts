// Unit tests of sendWithBisect: a sink's per-record failures are kept by index, a permanent
// whole-batch failure is bisected down to the poison record, and a BatchResult the core cannot
// trust (index out of range, not an integer, reported twice) is rejected: reported through the
// hook, and no record of that batch counts as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BatchResult, type ConnectorSink, SinkError, type SinkRecord } from '../../src/connectors/sink.js';
import { batchResultProblem, sendWithBisect } from '../../src/core/send-with-bisect.js';

const recs = (n: number): SinkRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `e-${i}`, offset: 10 + i, topic: 't', payload: Buffer.from(`m${i}`), qos: 1 as const, retain: false, timestamp: 1_700_000_000_000 }));

function sink(send: (records: SinkRecord[]) => Promise<BatchResult>): ConnectorSink & { calls: number } {
  const s = {
    calls: 0,
    validate: async () => undefined,
    init: async () => undefined,
    cleanup: async () => undefined,
    sendBatch: (r: SinkRecord[]) => {
      s.calls += 1;
      return send(r);
    },
  };
  return s;
}

const bad = SinkError.retriable('no');

test('a sound result: the failed indexes and their errors, the rest written', async () => {
  const f = await sendWithBisect(sink(async () => ({ failed: [{ index: 2, error: bad }, { index: 0, error: bad }] })), recs(4));
  assert.deepEqual([...f.keys()].sort(), [0, 2]);
  assert.equal(f.get(2), bad);
});

for (const [name, failed, why] of [
  ['an index past the end', [{ index: 4, error: bad }], /failure index 4 is not a position in the batch of 4/],
  ['a negative index', [{ index: -1, error: bad }], /failure index -1 is not a position/],
  ['a fractional index', [{ index: 1.5, error: bad }], /failure index 1.5 is not a position/],
  ['an index reported twice', [{ index: 1, error: bad }, { index: 1, error: bad }], /failure index 1 is reported twice/],
] as const) {
  test(`${name}: rejected, reported, and no record of the batch counts as written`, async () => {
    const reported: { message: string; fields: Record<string, unknown> }[] = [];
    const f = await sendWithBisect(sink(async () => ({ failed: [...failed] })), recs(4), undefined, (message, fields) => reported.push({ message, fields }));
    assert.deepEqual([...f.keys()], [0, 1, 2, 3], 'every record failed');
    for (const e of f.values()) {
      assert.equal(e.kind, 'unavailable');
      assert.match(e.message, why);
    }
    assert.equal(reported.length, 1);
    assert.match(reported[0]?.message ?? '', /sink returned an invalid batch result/);
    assert.deepEqual(reported[0]?.fields, { records: 4, first_offset: 10 });
  });
}

test('batchResultProblem accepts an empty and a full failure list', () => {
  assert.equal(batchResultProblem({ failed: [] }, 0), undefined);
  assert.equal(batchResultProblem({ failed: [0, 1, 2].map((index) => ({ index, error: bad })) }, 3), undefined);
  assert.match(batchResultProblem({ failed: [{ index: 0, error: bad }] }, 0) ?? '', /batch of 0/);
});

test('a permanent whole-batch failure is bisected down to the poison record', async () => {
  const s = sink(async (r) => {
    if (r.some((x) => x.offset === 13)) throw SinkError.permanent('poison');
    return { failed: [] };
  });
  const f = await sendWithBisect(s, recs(8));
  assert.deepEqual([...f.keys()], [3]);
  assert.equal(f.get(3)?.kind, 'permanent');
  assert.ok(s.calls <= 1 + 2 * Math.ceil(Math.log2(8)), `calls ${s.calls}`);
});

test('an unavailable or retriable whole-batch failure is never bisected', async () => {
  for (const err of [SinkError.unavailable('down'), SinkError.retriable('busy'), new Error('untyped')]) {
    const s = sink(async () => {
      throw err;
    });
    const f = await sendWithBisect(s, recs(8));
    assert.equal(s.calls, 1);
    assert.equal(f.size, 8);
    assert.equal(f.get(0)?.kind, err instanceof SinkError ? err.kind : 'unavailable');
  }
});
