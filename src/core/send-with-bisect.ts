// One write of a batch, turned into per-record outcomes. A batch that fails permanently as a
// whole is split in halves until the poison records are isolated, so good records still land.
import { type ConnectorSink, SinkError, type SinkRecord } from '../connectors/sink.js';

/** index in the given array → its error; absent = written */
export type Failures = Map<number, SinkError>;

export function asSinkError(e: unknown): SinkError {
  if (e instanceof SinkError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // an untyped throw says nothing about the record: the target is taken as unavailable
  return SinkError.unavailable(message || 'sink failed without a message');
}

export async function sendWithBisect(sink: ConnectorSink, records: readonly SinkRecord[], observe?: (ms: number, ok: boolean) => void): Promise<Failures> {
  const failures: Failures = new Map();
  const started = performance.now();
  try {
    const result = await sink.sendBatch([...records]);
    observe?.(performance.now() - started, result.failed.length === 0);
    for (const f of result.failed) {
      if (f.index >= 0 && f.index < records.length) failures.set(f.index, asSinkError(f.error));
    }
    return failures;
  } catch (e) {
    observe?.(performance.now() - started, false);
    const err = asSinkError(e);
    if (err.kind === 'permanent' && records.length > 1) {
      const mid = Math.ceil(records.length / 2);
      const left = await sendWithBisect(sink, records.slice(0, mid), observe);
      const right = await sendWithBisect(sink, records.slice(mid), observe);
      for (const [i, fe] of left) failures.set(i, fe);
      for (const [i, fe] of right) failures.set(i + mid, fe);
      return failures;
    }
    records.forEach((_, i) => failures.set(i, err));
    return failures;
  }
}
