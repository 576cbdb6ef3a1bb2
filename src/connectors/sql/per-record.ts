// One statement per record (sql_template, or enable_batch_insert: false), in order on one
// connection: each record's outcome is its own statement's, so nothing needs bisecting. Once the
// target is unavailable the rest of the batch is not tried; what was written stays written.
import { batchResult, mapBatch, type Refusal } from '../batch-mapping.js';
import type { BatchResult, SinkError, SinkRecord } from '../sink.js';

export async function writePerRecord<S>(
  records: readonly SinkRecord[],
  build: (record: SinkRecord) => S | Refusal,
  run: (statement: S) => Promise<void>,
  classify: (err: unknown) => SinkError,
  label: string,
): Promise<BatchResult> {
  const batch = mapBatch(records, build, label);
  const failed: BatchResult['failed'] = [];
  for (let i = 0; i < batch.items.length; i++) {
    try {
      await run(batch.items[i] as S);
    } catch (e) {
      const err = classify(e);
      if (err.kind !== 'unavailable') {
        failed.push({ index: i, error: err });
        continue;
      }
      if (i === 0 && batch.failed.length === 0) throw err;
      for (let j = i; j < batch.items.length; j++) failed.push({ index: j, error: err });
      break;
    }
  }
  return batchResult(batch, failed);
}
