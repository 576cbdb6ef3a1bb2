// Turns a batch's sink outcomes into terminal decisions under the connector's failure strategy:
// written, discarded{reason} or dead-lettered. Two kinds of waiting are kept apart:
//
// - the target is unavailable (down, unreachable, refusing our credentials): nothing is charged
//   to any record; the batch waits with a capped backoff and is sent again, for as long as it
//   takes (or until `signal` stops it). A replay can ask to give up instead (`onUnavailable`).
// - a record failed retriably: charged to that record's `retry_total_times`, with the strategy's
//   fixed or exponential backoff; only the records still failing are sent again.
//
// Permanent failures are terminal at once (send-with-bisect isolates them in a whole-batch error).
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
  /** indexes of the records written */
  writtenIndexes: number[];
  discarded: (Terminal & { reason: DiscardReason })[];
  toDeadLetter: Terminal[];
  /** record re-sends charged to retry budgets, summed over the batch */
  retries: number;
  /** true when the work ended before every record had a terminal outcome (stopped, or gave up on an unavailable target) */
  aborted: boolean;
  /** the unavailability that made a `onUnavailable: 'give_up'` call return early */
  unavailable?: SinkError;
  lastError?: string;
}

export interface PolicyHooks {
  observeSend?: (ms: number, ok: boolean) => void;
  onRetry?: (records: number, error: SinkError) => void;
  /** the target is unavailable: the batch is sent again at `nextAttemptAt` (ms since epoch) */
  onWaiting?: (error: SinkError, nextAttemptAt: number) => void;
  /** the target answered again after a wait */
  onAvailable?: () => void;
  /** `wait` (the loop) or `give_up` (a replay, which must not hold a request for an outage) */
  onUnavailable?: 'wait' | 'give_up';
}

/** First wait after the target became unavailable; doubled (with a little jitter) up to the cap. */
export const UNAVAILABLE_MIN_WAIT_MS = 500;
export const UNAVAILABLE_MAX_WAIT_MS = 30_000;
/** a target's own Retry-After is honoured up to this */
const RETRY_AFTER_CAP_MS = 300_000;

export function nextUnavailableWait(previous: number | undefined): number {
  const base = previous === undefined ? UNAVAILABLE_MIN_WAIT_MS : Math.min(previous * 2, UNAVAILABLE_MAX_WAIT_MS);
  return Math.min(UNAVAILABLE_MAX_WAIT_MS, Math.round(base * (1 + Math.random() * 0.2)));
}

function retryWait(strategy: FailureStrategy, attempt: number, error: SinkError): number {
  let wait = strategy.wait_time_ms;
  if (strategy.backoff === 'exponential') {
    const doubled = strategy.wait_time_ms * 2 ** (attempt - 1);
    wait = Math.min(strategy.max_wait_ms, Math.round(doubled * (1 + Math.random())));
  }
  // the target asked for a longer pause than our backoff gives (HTTP Retry-After)
  if (error.retryAfterMs !== undefined && error.retryAfterMs > wait) wait = Math.min(error.retryAfterMs, strategy.max_wait_ms);
  return wait;
}

export async function deliverBatch(sink: ConnectorSink, records: readonly SinkRecord[], strategy: FailureStrategy, signal: AbortSignal, hooks: PolicyHooks = {}): Promise<BatchOutcome> {
  const out: BatchOutcome = { written: 0, writtenIndexes: [], discarded: [], toDeadLetter: [], retries: 0, aborted: false };
  const attempts = new Map<number, number>();
  const retrying = strategy.strategy !== 'discard';
  let remaining = records.map((_, i) => i);
  let unavailableWait: number | undefined;

  const terminal = (index: number, error: SinkError, reason: DiscardReason) => {
    out.lastError = error.message;
    const retries = attempts.get(index) ?? 0;
    if (strategy.strategy === 'dead_message_queue') out.toDeadLetter.push({ index, error, retries });
    else out.discarded.push({ index, error, retries, reason });
  };

  while (remaining.length > 0) {
    if (signal.aborted) {
      out.aborted = true;
      return out;
    }
    // a write already on the wire is let finish, so a sink is never closed under it
    const failures = await sendWithBisect(sink, remaining.map((i) => records[i] as SinkRecord), hooks.observeSend);
    const retriable: { index: number; error: SinkError }[] = [];
    let unavailable: SinkError | undefined;
    remaining.forEach((recordIndex, k) => {
      const err = failures.get(k);
      if (!err) {
        out.written += 1;
        out.writtenIndexes.push(recordIndex);
      } else if (err.kind === 'permanent') terminal(recordIndex, err, 'permanent_error');
      else {
        retriable.push({ index: recordIndex, error: err });
        if (err.kind === 'unavailable') unavailable ??= err;
        out.lastError = err.message;
      }
    });
    remaining = retriable.map((r) => r.index);
    if (remaining.length === 0) break;

    if (unavailable) {
      // nothing can be concluded about any record while the target is down: nobody is charged
      if (hooks.onUnavailable === 'give_up') {
        out.aborted = true;
        out.unavailable = unavailable;
        return out;
      }
      unavailableWait = nextUnavailableWait(unavailableWait);
      let wait = unavailableWait;
      if (unavailable.retryAfterMs !== undefined && unavailable.retryAfterMs > wait) wait = Math.min(unavailable.retryAfterMs, RETRY_AFTER_CAP_MS);
      hooks.onWaiting?.(unavailable, Date.now() + wait);
      await abortableSleep(wait, signal);
      continue;
    }
    if (unavailableWait !== undefined) {
      unavailableWait = undefined;
      hooks.onAvailable?.();
    }

    if (!retrying) {
      for (const r of retriable) terminal(r.index, r.error, 'retriable_error');
      break;
    }
    const again: number[] = [];
    for (const r of retriable) {
      const n = attempts.get(r.index) ?? 0;
      if (n >= strategy.retry_total_times) terminal(r.index, r.error, 'retries_exhausted');
      else {
        attempts.set(r.index, n + 1);
        again.push(r.index);
      }
    }
    remaining = again;
    if (remaining.length === 0) break;
    out.retries += remaining.length;
    const first = retriable[0] as { error: SinkError };
    hooks.onRetry?.(remaining.length, first.error);
    await abortableSleep(retryWait(strategy, Math.max(...remaining.map((i) => attempts.get(i) ?? 1)), first.error), signal);
  }
  if (unavailableWait !== undefined) hooks.onAvailable?.();
  return out;
}
