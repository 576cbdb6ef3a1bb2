// deliverTransformed: the transform's outcome per journal record folded with the sink's: filtered
// records are never sent, a transform failure is that record's permanent failure under the
// strategy, a record that became several is written only when all of them are, and a dead letter
// keeps the message as it was received.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BatchResult, type ConnectorSink, SinkError, type SinkRecord } from '../../src/connectors/sink.js';
import { deliverTransformed } from '../../src/core/transform-delivery.js';
import { DEFAULT_FAILURE_STRATEGY, type FailureStrategy } from '../../src/metadata/failure-strategy.js';
import { parseTransform, type Transform } from '../../src/metadata/transform.js';
import { type CompiledTransform, compileTransform } from '../../src/core/transform/pipeline.js';

const records = (payloads: string[]): SinkRecord[] =>
  payloads.map((p, i) => ({ id: `e-${i}`, offset: i + 1, topic: 't/x', payload: Buffer.from(p), qos: 1 as const, retain: false, timestamp: 1_700_000_000_000 + i }));

class RecordingSink implements ConnectorSink {
  readonly batches: SinkRecord[][] = [];
  constructor(private readonly refuse: (r: SinkRecord) => SinkError | undefined = () => undefined) {}
  async validate(): Promise<void> {}
  async init(): Promise<void> {}
  async cleanup(): Promise<void> {}
  async sendBatch(recs: SinkRecord[]): Promise<BatchResult> {
    this.batches.push(recs);
    return { failed: recs.flatMap((r, index) => { const error = this.refuse(r); return error ? [{ index, error }] : []; }) };
  }
}

const compile = (t: Record<string, unknown>): CompiledTransform => compileTransform(parseTransform(t).value as Transform);
const strategy = (s: FailureStrategy['strategy']): FailureStrategy => ({ ...DEFAULT_FAILURE_STRATEGY, strategy: s, wait_time_ms: 1 });

test('filtered records are not sent and are reported apart; the rest are written', async () => {
  const sink = new RecordingSink();
  const o = await deliverTransformed(compile({ filter: 'payload.v > 1' }), sink, records(['{"v":1}', '{"v":2}', '{"v":3}', '{"v":0}']), strategy('discard'), new AbortController().signal);
  assert.deepEqual(o.filteredIndexes, [0, 3]);
  assert.deepEqual(o.writtenIndexes, [1, 2]);
  assert.equal(o.written, 2);
  assert.deepEqual(sink.batches.map((b) => b.map((r) => r.id)), [['e-1', 'e-2']]);
});

test('every record filtered: the sink is not called', async () => {
  const sink = new RecordingSink();
  const o = await deliverTransformed(compile({ filter: 'false' }), sink, records(['a', 'b']), strategy('discard'), new AbortController().signal);
  assert.deepEqual(o.filteredIndexes, [0, 1]);
  assert.equal(sink.batches.length, 0);
});

test('a transform failure is that record\'s permanent failure: dead letter with the expression\'s error, or discarded as transform_error', async () => {
  const t = compile({ map: 'payload.v * 2' });
  const input = records(['{"v":1}', 'text', '{"v":3}']);
  const dlq = await deliverTransformed(t, new RecordingSink(), input, strategy('dead_message_queue'), new AbortController().signal);
  assert.deepEqual(dlq.writtenIndexes, [0, 2]);
  assert.deepEqual(dlq.toDeadLetter.map((d) => [d.index, d.error.kind, d.retries]), [[1, 'permanent', 0]]);
  assert.match(dlq.toDeadLetter[0]?.error.message ?? '', /^transform\.map: /);
  const dropped = await deliverTransformed(t, new RecordingSink(), input, strategy('discard_after_retry'), new AbortController().signal);
  assert.deepEqual(dropped.discarded.map((d) => [d.index, d.reason]), [[1, 'transform_error']]);
});

test('the sink sees the mapped records; a dead letter keeps the message as received', async () => {
  const sink = new RecordingSink((r) => (r.payload.toString() === 'BAD' ? SinkError.permanent('refused') : undefined));
  const o = await deliverTransformed(compile({ map: '$uppercase(payload)' }), sink, records(['ok', 'bad']), strategy('dead_message_queue'), new AbortController().signal);
  assert.deepEqual(sink.batches[0]?.map((r) => r.payload.toString()), ['OK', 'BAD']);
  assert.deepEqual(o.writtenIndexes, [0]);
  assert.deepEqual(o.toDeadLetter.map((d) => d.index), [1], 'index of the journal record, whose payload is still "bad"');
});

test('a record that became several parts is written only when all parts are; else it takes the first part\'s failure', async () => {
  // a compiled transform that splits each message into its characters (as an ETL array decode does)
  const split: CompiledTransform = {
    async apply(r) {
      return { kind: 'records', records: [...r.payload.toString()].map((c, i) => ({ ...r, id: `${r.id}#${i}`, payload: Buffer.from(c) })) };
    },
  };
  const sink = new RecordingSink((r) => (r.payload.toString() === 'x' ? SinkError.permanent('no x') : undefined));
  const o = await deliverTransformed(split, sink, records(['ab', 'cxd', '']), strategy('discard'), new AbortController().signal);
  assert.deepEqual(o.writtenIndexes, [0]);
  assert.deepEqual(o.discarded.map((d) => [d.index, d.reason]), [[1, 'permanent_error']]);
  assert.deepEqual(o.filteredIndexes, [2], 'nothing to send is counted as filtered');
  assert.deepEqual(sink.batches[0]?.map((r) => r.id), ['e-0#0', 'e-0#1', 'e-1#0', 'e-1#1', 'e-1#2']);
});
