// The first step of every sink's sendBatch: map each record to what the target takes. A record
// the mapping refuses fails alone, as permanent (its content is the problem); the others go on,
// and the failures of what was sent come back to the batch's own indexes.
import { type BatchResult, SinkError, type SinkRecord } from './sink.js';

export interface MappedBatch<T> {
  /** what the target takes, in batch order */
  items: T[];
  /** the batch index of each item */
  at: number[];
  /** the records the mapping refused */
  failed: BatchResult['failed'];
}

export type Refusal = { error: string };

const isRefusal = (v: unknown): v is Refusal => typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && typeof (v as { error?: unknown }).error === 'string' && Object.keys(v).length === 1;

/** Maps every record; `label` prefixes a refusal's message (e.g. `kafka`). A thrown SinkError counts as the refusal itself. */
export function mapBatch<T>(records: readonly SinkRecord[], map: (record: SinkRecord) => T | Refusal, label?: string): MappedBatch<T> {
  const out: MappedBatch<T> = { items: [], at: [], failed: [] };
  const refuse = (index: number, message: string): void => {
    out.failed.push({ index, error: SinkError.permanent(label ? `${label}: ${message}` : message) });
  };
  records.forEach((record, index) => {
    let mapped: T | Refusal;
    try {
      mapped = map(record);
    } catch (e) {
      if (e instanceof SinkError) out.failed.push({ index, error: e });
      else refuse(index, e instanceof Error ? e.message : String(e));
      return;
    }
    if (isRefusal(mapped)) refuse(index, mapped.error);
    else {
      out.items.push(mapped);
      out.at.push(index);
    }
  });
  return out;
}

/** The batch's result: the mapping's refusals plus the failures of the items sent (indexes into `items`), in batch order. */
export function batchResult(batch: MappedBatch<unknown>, itemFailures: BatchResult['failed'] = []): BatchResult {
  const failed = [...batch.failed, ...itemFailures.map((f) => ({ index: batch.at[f.index] as number, error: f.error }))];
  return { failed: failed.sort((a, b) => a.index - b.index) };
}
