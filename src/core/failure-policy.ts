// Turns a batch's sink outcomes into terminal decisions under the connector's failure strategy:
// written, discarded{reason} or dead-lettered. Retries (p-retry) are cancellable through `signal`.
import pRetry, { AbortError } from 'p-retry';
import type { ConnectorSink, SinkError, SinkRecord } from '../connectors/sink.js';
import type { FailureStrategy } from '../metadata/failure-strategy.js';
import type { PolicyDiscardReason } from './discard-reasons.js';
import { sendWithBisect } from './send-with-bisect.js';
import { abortableSleep } from './sleep.js';

export type DiscardReason = PolicyDiscardReason;

export interface Terminal {
  index: number;
  error: SinkError;
  /** retries this record went through */
  retries: number;
}

export interface BatchOutcome {
  written: number;
  discarded: (Terminal & { reason: DiscardReason })[];
  toDeadLetter: Terminal[];
  /** record re-sends, summed over the batch */
  retries: number;
  /** true when `signal` ended the work before every record had a terminal outcome */
  aborted: boolean;
  lastError?: string;
}

export interface PolicyHooks {
  observeSend?: (ms: number, ok: boolean) => void;
  onRetry?: (records: number, error: SinkError) => void;
}

export async function deliverBatch(sink: ConnectorSink, records: readonly SinkRecord[], strategy: FailureStrategy, signal: AbortSignal, hooks: PolicyHooks = {}): Promise<BatchOutcome> {
  const out: BatchOutcome = { written: 0, discarded: [], toDeadLetter: [], retries: 0, aborted: false };
  const attempts = new Map<number, number>();
  let remaining = records.map((_, i) => i);
  let lastRetriable = new Map<number, SinkError>();
  const retrying = strategy.strategy !== 'discard';

  let inflight: Promise<void> | undefined;
  const attempt = (): Promise<void> => {
    inflight = sendOnce();
    return inflight;
  };
  const sendOnce = async (): Promise<void> => {
    if (signal.aborted) throw new AbortError('cancelled');
    const failures = await sendWithBisect(sink, remaining.map((i) => records[i] as SinkRecord), hooks.observeSend);
    const next: number[] = [];
    lastRetriable = new Map();
    remaining.forEach((recordIndex, k) => {
      const err = failures.get(k);
      if (!err) out.written += 1;
      else if (err.kind === 'permanent') terminal(recordIndex, err, 'permanent_error');
      else {
        next.push(recordIndex);
        lastRetriable.set(recordIndex, err);
        out.lastError = err.message;
      }
    });
    remaining = next;
    if (remaining.length > 0 && retrying) {
      const first = lastRetriable.values().next().value as SinkError;
      throw Object.assign(new Error(first.message), { sinkError: first });
    }
  };

  const terminal = (index: number, error: SinkError, reason: DiscardReason) => {
    out.lastError = error.message;
    const retries = attempts.get(index) ?? 0;
    if (strategy.strategy === 'dead_message_queue') out.toDeadLetter.push({ index, error, retries });
    else out.discarded.push({ index, error, retries, reason });
  };

  const exponential = strategy.backoff === 'exponential';
  try {
    await pRetry(attempt, {
      retries: retrying ? strategy.retry_total_times : 0,
      minTimeout: strategy.wait_time_ms,
      maxTimeout: exponential ? strategy.max_wait_ms : strategy.wait_time_ms,
      factor: exponential ? 2 : 1,
      randomize: exponential,
      signal,
      onFailedAttempt: async (e) => {
        if (e.retriesLeft <= 0 || signal.aborted) return;
        for (const i of remaining) attempts.set(i, (attempts.get(i) ?? 0) + 1);
        out.retries += remaining.length;
        const sinkError = (e as unknown as { sinkError?: SinkError }).sinkError;
        if (sinkError) hooks.onRetry?.(remaining.length, sinkError);
        // the target asked for a longer pause than our backoff gives (HTTP Retry-After)
        const extra = (sinkError?.retryAfterMs ?? 0) - strategy.wait_time_ms;
        if (extra > 0) await abortableSleep(Math.min(extra, strategy.max_wait_ms), signal);
      },
    });
  } catch (e) {
    if (signal.aborted) {
      // let a write already on the wire finish, so a sink is never closed under it
      await inflight?.catch(() => undefined);
      if (remaining.length > 0) {
        out.aborted = true;
        return out;
      }
    } else if (!(e as { sinkError?: SinkError }).sinkError && !(e instanceof AbortError)) throw e;
  }
  // whatever is still failing ran out of attempts (or the strategy does not retry)
  for (const i of remaining) {
    const err = lastRetriable.get(i);
    if (err) terminal(i, err, retrying ? 'retries_exhausted' : 'retriable_error');
  }
  return out;
}
