// One write of a batch, turned into per-record outcomes. A batch that fails permanently as a
// whole is split in halves until the poison records are isolated, so good records still land.
import { type BatchResult, type ConnectorSink, SinkError, type SinkRecord } from '../connectors/sink.js';

/** index in the given array → its error; absent = written */
export type Failures = Map<number, SinkError>;

export function asSinkError(e: unknown): SinkError {
  if (e instanceof SinkError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // an untyped throw says nothing about the record: the target is taken as unavailable
  return SinkError.unavailable(message || 'sink failed without a message');
}

/**
 * Why a sink's BatchResult cannot be trusted (an index outside the batch, not an integer, or
 * named twice), or undefined when it is sound. Such a result says nothing reliable about which
 * records were written, so none of them counts as written.
 */
export function batchResultProblem(result: BatchResult, size: number): string | undefined {
  if (typeof result !== 'object' || result === null || !Array.isArray(result.failed)) return 'the result has no failed list';
  const seen = new Set<number>();
  for (const f of result.failed) {
    const index = (f as { index?: unknown } | null)?.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= size) {
      return `failure index ${String(index)} is not a position in the batch of ${size}`;
    }
    if (seen.has(index)) return `failure index ${index} is reported twice`;
    seen.add(index);
  }
  return undefined;
}

export type InvalidResultHook = (message: string, fields: { records: number; first_offset?: number }) => void;

export async function sendWithBisect(sink: ConnectorSink, records: readonly SinkRecord[], observe?: (ms: number, ok: boolean) => void, onInvalid?: InvalidResultHook): Promise<Failures> {
  const failures: Failures = new Map();
  const started = performance.now();
  try {
    const result = await sink.sendBatch([...records]);
    const problem = batchResultProblem(result, records.length);
    observe?.(performance.now() - started, problem === undefined && result.failed.length === 0);
    if (problem !== undefined) {
      // a sink bug: nothing of this batch is taken as written, and it is said loudly
      const message = `sink returned an invalid batch result: ${problem}; the batch of ${records.length} is treated as not written`;
      (onInvalid ?? logInvalid)(message, { records: records.length, first_offset: records[0]?.offset });
      const err = SinkError.unavailable(message);
      records.forEach((_, i) => failures.set(i, err));
      return failures;
    }
    for (const f of result.failed) failures.set(f.index, asSinkError(f.error));
    return failures;
  } catch (e) {
    observe?.(performance.now() - started, false);
    const err = asSinkError(e);
    if (err.kind === 'permanent' && records.length > 1) {
      const mid = Math.ceil(records.length / 2);
      const left = await sendWithBisect(sink, records.slice(0, mid), observe, onInvalid);
      const right = await sendWithBisect(sink, records.slice(mid), observe, onInvalid);
      for (const [i, fe] of left) failures.set(i, fe);
      for (const [i, fe] of right) failures.set(i + mid, fe);
      return failures;
    }
    records.forEach((_, i) => failures.set(i, err));
    return failures;
  }
}

/** Without a hook from the caller the problem still reaches the process log. */
function logInvalid(message: string, fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: message, ...fields })}\n`);
}
