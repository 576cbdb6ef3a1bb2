// Delivery of a batch through a connector's transform. Each journal record becomes zero records
// (filtered), one or more records (mapped; an ETL rule may split one message into several), or
// a permanent failure of that record alone (its transform failed). The records to send go
// through deliverBatch as usual; the outcome is folded back onto the journal records: a record
// is written when everything it became was written, and otherwise takes the first terminal
// outcome of its parts (so a dead letter always holds the message as it was received).
import { SinkError, type ConnectorSink, type SinkRecord } from '../connectors/sink.js';
import type { FailureStrategy } from '../metadata/failure-strategy.js';
import type { CompiledTransform } from './transform/pipeline.js';
import { type BatchOutcome, deliverBatch, type PolicyHooks, type Terminal } from './failure-policy.js';

export interface TransformedOutcome extends BatchOutcome {
  /** indexes of the journal records the filter dropped (or that became no record at all) */
  filteredIndexes: number[];
}

export async function deliverTransformed(
  transform: CompiledTransform,
  sink: ConnectorSink,
  records: readonly SinkRecord[],
  strategy: FailureStrategy,
  signal: AbortSignal,
  hooks: PolicyHooks = {},
): Promise<TransformedOutcome> {
  const filteredIndexes: number[] = [];
  const failedTransform: { index: number; error: SinkError }[] = [];
  const toSend: SinkRecord[] = [];
  const owner: number[] = [];
  const parts = new Array<number>(records.length).fill(0);
  for (let i = 0; i < records.length; i++) {
    let outcome;
    try {
      const applied = transform.apply(records[i] as SinkRecord);
      outcome = applied instanceof Promise ? await applied : applied;
    } catch (e) {
      failedTransform.push({ index: i, error: SinkError.permanent((e as Error).message) });
      continue;
    }
    if (outcome.kind === 'filtered' || outcome.records.length === 0) {
      filteredIndexes.push(i);
      continue;
    }
    for (const r of outcome.records) {
      toSend.push(r);
      owner.push(i);
    }
    parts[i] = outcome.records.length;
  }

  const sent = toSend.length > 0 ? await deliverBatch(sink, toSend, strategy, signal, hooks) : emptyOutcome();
  const out: TransformedOutcome = { ...emptyOutcome(), filteredIndexes, retries: sent.retries, aborted: sent.aborted, unavailable: sent.unavailable, lastError: sent.lastError };
  for (const f of failedTransform) {
    out.lastError = f.error.message;
    if (strategy.strategy === 'dead_message_queue') out.toDeadLetter.push({ ...f, retries: 0 });
    else out.discarded.push({ ...f, retries: 0, reason: 'transform_error' });
  }
  // the first terminal outcome of each journal record's parts; then what was written whole
  const settled = new Set(failedTransform.map((f) => f.index));
  const take = (t: Terminal, into: (t: Terminal) => void) => {
    const i = owner[t.index] as number;
    if (settled.has(i)) return;
    settled.add(i);
    into({ ...t, index: i });
  };
  for (const t of sent.toDeadLetter) take(t, (x) => out.toDeadLetter.push(x));
  for (const t of sent.discarded) take(t, (x) => out.discarded.push({ ...x, reason: t.reason }));
  const writtenParts = new Array<number>(records.length).fill(0);
  for (const k of sent.writtenIndexes) {
    const i = owner[k] as number;
    writtenParts[i] = (writtenParts[i] ?? 0) + 1;
  }
  for (let i = 0; i < records.length; i++) {
    if (parts[i] === 0 || settled.has(i)) continue;
    if (writtenParts[i] === parts[i]) {
      out.written += 1;
      out.writtenIndexes.push(i);
    } else if (!sent.aborted) throw new Error(`transform delivery: record ${i} has ${writtenParts[i]} of ${parts[i]} parts written and no terminal outcome`);
  }
  return out;
}

function emptyOutcome(): BatchOutcome {
  return { written: 0, writtenIndexes: [], discarded: [], toDeadLetter: [], retries: 0, aborted: false };
}
