// The per-connector loop: read a batch after the last one handed out (lingering for a full one),
// deliver it under the failure strategy, publish dead letters, then commit offset + outcome +
// dead letters in one transaction. Only terminal outcomes move the offset. Up to `maxInFlight`
// batches are written at once; they are committed strictly in offset order as they complete, so
// the committed offset never passes a batch that is not settled. Dead-letter replays are queued
// here and run once no batch is in flight.
import type { ConnectorSink, SinkError, SinkRecord } from '../connectors/sink.js';
import { SluiceError } from '../errors.js';
import type { Delivery } from '../metadata/delivery.js';
import type { FailureStrategy } from '../metadata/failure-strategy.js';
import type { DeadLetterStore, NewDeadLetter } from './dead-letters.js';
import { type DeadLetterPublisher, deadLetterMessage } from './dlq-publisher.js';
import { type BatchOutcome, deliverBatch, type PolicyHooks } from './failure-policy.js';
import type { ConnectorJournal } from './journal.js';
import { abortableSleep } from './sleep.js';
import type { CompiledTransform } from './transform/pipeline.js';
import { deliverTransformed, type TransformedOutcome } from './transform-delivery.js';

export interface LoopOptions {
  tenant: string;
  name: string;
  journal: ConnectorJournal;
  deadLetters: DeadLetterStore;
  sink: ConnectorSink;
  strategy: FailureStrategy;
  delivery: Delivery;
  dlq: DeadLetterPublisher;
  /** the connector's compiled transform, when it has one */
  transform?: CompiledTransform;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  observeSend?: (ms: number, ok: boolean) => void;
  onRetry?: (records: number, error: SinkError) => void;
  onOutcome?: (o: BatchOutcome, records: readonly SinkRecord[]) => void;
  /** most batches being written at once (1: the next batch is read once the last is committed) */
  maxInFlight?: number;
}

/** A batch handed to the sink: settled once its outcome and dead letters are ready to commit. */
interface InFlight {
  records: SinkRecord[];
  last: SinkRecord;
  /** undefined while being written; null when it ended without a commit (stopped) */
  settled?: Settled | null;
  done: Promise<void>;
}

interface Settled {
  outcome: TransformedOutcome;
  deadLetters: NewDeadLetter[];
}

/** The target is unavailable: delivery waits, nothing is charged. */
export interface WaitingInfo {
  since: number;
  nextAttemptAt: number;
  error: string;
}

export interface ReplayResult {
  replayed: number;
  failed: number;
}

interface ReplayJob {
  ids?: number[];
  resolve: (r: ReplayResult) => void;
  reject: (e: Error) => void;
}

const IDLE_WAIT_MS = 1000;

export class ConnectorLoop {
  private readonly abort = new AbortController();
  private done?: Promise<void>;
  private readonly replays: ReplayJob[] = [];
  private wakeUp?: () => void;
  /** highest offset handed to the sink and not yet committed (0 = none) */
  inFlightUpTo = 0;
  /** the batches handed to the sink and not yet committed, oldest first */
  private readonly inFlight: InFlight[] = [];
  /** a batch of `inFlight` settled (or the loop should look again) */
  private settledSignal?: () => void;
  /** set once a batch ended without a commit (the loop was stopped): nothing after it is committed */
  private broken = false;
  /** an unexpected failure of a batch or a commit: the loop ends with it */
  private loopError?: Error;
  lastError: string | null = null;
  lastErrorAt: number | null = null;
  /** set while the target is unavailable */
  waiting: WaitingInfo | null = null;

  constructor(private readonly o: LoopOptions) {}

  start(): void {
    this.done = this.run().catch((e: unknown) => {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.o.log('error', `connector loop stopped: ${this.lastError}`);
      throw e;
    });
    this.done.catch(() => undefined);
  }

  /** Whether the loop ended on its own because of an unexpected error. */
  async failed(): Promise<Error | undefined> {
    try {
      await this.done;
      return undefined;
    } catch (e) {
      return e as Error;
    }
  }

  /** Interrupts waits, lets the batch on the wire finish, and resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.done?.catch(() => undefined);
    for (const job of this.replays.splice(0)) job.reject(new SluiceError('NOT_RUNNING', `connector ${this.o.tenant}/${this.o.name} stopped before the replay ran`));
  }

  /**
   * Queues a replay of dead letters (all, or `ids`) through this loop's sink, between its batches.
   * Written ones leave the table; failed ones stay with their new error (a replay never discards).
   */
  replay(ids?: number[]): Promise<ReplayResult> {
    if (this.abort.signal.aborted) return Promise.reject(new SluiceError('NOT_RUNNING', `connector ${this.o.tenant}/${this.o.name} is stopping`));
    return new Promise((resolve, reject) => {
      this.replays.push({ ids, resolve, reject });
      this.wakeUp?.();
    });
  }

  private async run(): Promise<void> {
    const { journal, delivery } = this.o;
    const signal = this.abort.signal;
    const max = Math.max(1, this.o.maxInFlight ?? 1);
    try {
      while (!signal.aborted) {
        // a replay, a waiting target or a full pipeline: no new batch until the ones on the wire settle
        if (this.inFlight.length > 0 && (this.replays.length > 0 || this.waiting !== null || this.inFlight.length >= max)) {
          await this.nextSettled(signal);
          continue;
        }
        const job = this.replays.shift();
        if (job) {
          await this.runReplay(job, signal);
          continue;
        }
        const after = this.inFlight.at(-1)?.last.offset;
        let records = journal.read(delivery.batch_size, after);
        if (records.length === 0) {
          if (this.inFlight.length > 0) await Promise.race([this.nextSettled(signal), this.idle(IDLE_WAIT_MS, signal)]);
          else await this.idle(IDLE_WAIT_MS, signal);
          continue;
        }
        if (records.length < delivery.batch_size && delivery.linger_ms > 0) {
          const until = Date.now() + delivery.linger_ms;
          while (records.length < delivery.batch_size && Date.now() < until && !signal.aborted && this.replays.length === 0) {
            await this.idle(until - Date.now(), signal);
            records = journal.read(delivery.batch_size, after);
          }
        }
        if (signal.aborted) break;
        this.launch(records, signal);
      }
    } finally {
      // the batches on the wire finish; the settled ones before the first that did not are committed
      await Promise.all(this.inFlight.map((e) => e.done));
      this.inFlight.length = 0;
      this.inFlightUpTo = 0;
      this.waiting = null;
    }
    if (this.loopError) throw this.loopError;
  }

  /** Resolves when a batch in flight settles (a stopped loop's batches settle too, aborted). */
  private nextSettled(signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.inFlight.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const prev = this.settledSignal;
      this.settledSignal = () => {
        prev?.();
        resolve();
      };
    });
  }

  /** Waits for an append, a queued replay, the timeout or the stop. */
  private idle(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      void this.o.journal.waitForAppend(ms, signal).then(resolve);
    }).finally(() => (this.wakeUp = undefined));
  }

  private hooks(): PolicyHooks {
    return {
      observeSend: this.o.observeSend,
      onRetry: (n, error) => {
        // counted and shown while the retries go on, not only once the batch is over
        this.o.journal.countRetries(n);
        this.noteError(error.message);
        this.o.onRetry?.(n, error);
      },
      onWaiting: (error, nextAttemptAt) => {
        const first = this.waiting === null;
        this.waiting = { since: this.waiting?.since ?? Date.now(), nextAttemptAt, error: error.message };
        this.noteError(error.message);
        if (first) this.o.log('warn', 'target unavailable: delivery waits (nothing is discarded, no retry is charged)', { error: error.message, next_attempt_in_ms: nextAttemptAt - Date.now() });
      },
      onAvailable: () => {
        const since = this.waiting?.since;
        this.waiting = null;
        this.o.log('info', 'target available again: delivery resumed', { waited_ms: since === undefined ? 0 : Date.now() - since });
      },
    };
  }

  private noteError(message: string): void {
    this.lastError = message;
    this.lastErrorAt = Date.now();
  }

  /** deliverBatch, through the transform when the connector has one */
  private deliver(records: readonly SinkRecord[], signal: AbortSignal, hooks: PolicyHooks): Promise<TransformedOutcome> {
    const { sink, strategy, transform } = this.o;
    if (transform) return deliverTransformed(transform, sink, records, strategy, signal, hooks);
    return deliverBatch(sink, records, strategy, signal, hooks).then((o) => ({ ...o, filteredIndexes: [] }));
  }

  /** Hands a batch to the sink in the background; it is committed in order by `commitSettled`. */
  private launch(records: SinkRecord[], signal: AbortSignal): void {
    const last = records[records.length - 1] as SinkRecord;
    this.inFlightUpTo = last.offset;
    const entry: InFlight = { records, last, done: Promise.resolve() };
    const fail = (e: unknown) => {
      this.loopError ??= e instanceof Error ? e : new Error(String(e));
      this.broken = true;
      this.abort.abort();
    };
    entry.done = this.write(records, signal)
      .then(
        (settled) => {
          entry.settled = settled;
        },
        (e: unknown) => {
          entry.settled = null;
          fail(e);
        },
      )
      .then(() => {
        try {
          this.commitSettled();
        } catch (e) {
          fail(e);
        }
        const wake = this.settledSignal;
        this.settledSignal = undefined;
        wake?.();
      });
    this.inFlight.push(entry);
  }

  /** Delivers one batch and publishes its dead letters; null when stopped before it settled. */
  private async write(records: SinkRecord[], signal: AbortSignal): Promise<Settled | null> {
    const outcome = await this.deliver(records, signal, this.hooks());
    if (outcome.aborted) return null;
    if (outcome.lastError) this.noteError(outcome.lastError);
    const deadLetters = await this.publishDeadLetters(outcome, records, signal);
    if (!deadLetters) return null;
    return { outcome, deadLetters };
  }

  /** Commits the settled batches at the head of the pipeline, oldest first; stops at the first one still on the wire. */
  private commitSettled(): void {
    const { journal } = this.o;
    while (this.inFlight.length > 0 && !this.broken) {
      const head = this.inFlight[0] as InFlight;
      if (head.settled === undefined) return;
      if (head.settled === null) {
        // ended without a commit (stopped): nothing after it may be committed either; they are read again on the next start
        this.broken = true;
        return;
      }
      this.inFlight.shift();
      const { outcome, deadLetters } = head.settled;
      const discarded: Record<string, number> = {};
      for (const d of outcome.discarded) {
        discarded[d.reason] = (discarded[d.reason] ?? 0) + 1;
        this.o.log('warn', 'record discarded', { reason: d.reason, offset: head.records[d.index]?.offset, id: head.records[d.index]?.id, topic: head.records[d.index]?.topic, error: d.error.message });
      }
      // retries: already counted through onRetry
      journal.commit({ upTo: head.last.offset, written: outcome.written, discarded, deadLetters, retries: 0, filtered: outcome.filteredIndexes.length }, head.records);
      this.o.onOutcome?.(outcome, head.records);
    }
    if (this.inFlight.length === 0) {
      this.inFlightUpTo = 0;
      this.waiting = null;
    }
  }

  /** One replay job, page by page (one batch in memory at a time), each page settled in one transaction. */
  private async runReplay(job: ReplayJob, signal: AbortSignal): Promise<void> {
    const { journal, deadLetters, delivery } = this.o;
    const pageSize = delivery.batch_size;
    const result: ReplayResult = { replayed: 0, failed: 0 };
    const ids = job.ids ? [...new Set(job.ids)].sort((a, b) => a - b) : undefined;
    let afterId = 0;
    let next = 0;
    try {
      for (;;) {
        const page = ids ? deadLetters.pick(journal.id, ids.slice(next, (next += pageSize))) : deadLetters.page(journal.id, afterId, pageSize);
        if (page.length === 0) {
          if (ids && next < ids.length) continue;
          break;
        }
        afterId = (page[page.length - 1] as { id: number }).id;
        const records = page.map((p) => p.record);
        const outcome = await this.deliver(records, signal, { ...this.hooks(), onUnavailable: 'give_up' });
        // a dead letter the transform now filters out is settled: it leaves the table as replayed
        const written = [...outcome.writtenIndexes, ...outcome.filteredIndexes].map((i) => (page[i] as { id: number }).id);
        const failed = [...outcome.toDeadLetter, ...outcome.discarded].map((t) => ({ id: (page[t.index] as { id: number }).id, error: t.error.message, retries: t.retries }));
        journal.commitReplay(written, failed);
        result.replayed += written.length;
        result.failed += failed.length;
        if (failed.length > 0) this.noteError(`dead-letter replay: ${failed.length} failed again: ${failed[0]?.error}`);
        if (outcome.unavailable) {
          const left = page.length - written.length - failed.length;
          throw new SluiceError('SERVICE_UNAVAILABLE', `the target is unavailable (${outcome.unavailable.message}); ${result.replayed} dead letters were replayed before, ${left} of this page and the rest stay in the table`);
        }
        if (outcome.aborted) throw new SluiceError('NOT_RUNNING', `connector ${this.o.tenant}/${this.o.name} stopped during the replay; ${result.replayed} dead letters were replayed before`);
      }
      this.o.log('info', 'dead letters replayed', { replayed: result.replayed, failed: result.failed });
      job.resolve(result);
    } catch (e) {
      job.reject(e as Error);
    }
  }

  /** Publishes every dead letter (retrying until it works or the loop stops); undefined when stopped first. */
  private async publishDeadLetters(outcome: BatchOutcome, records: readonly SinkRecord[], signal: AbortSignal): Promise<NewDeadLetter[] | undefined> {
    const out: NewDeadLetter[] = [];
    const { tenant, name, strategy, dlq } = this.o;
    for (const t of outcome.toDeadLetter) {
      const record = records[t.index] as SinkRecord;
      const at = Date.now();
      const message = deadLetterMessage(tenant, name, record, t.error.message, t.retries, at);
      let wait = strategy.wait_time_ms;
      for (;;) {
        if (signal.aborted) return undefined;
        try {
          await dlq.publish(strategy.topic_name, message);
          break;
        } catch (e) {
          this.noteError(`dead-letter publish to ${strategy.topic_name} failed: ${(e as Error).message}`);
          this.o.log('warn', this.lastError as string);
          await abortableSleep(wait, signal);
          wait = Math.min(wait * 2, strategy.max_wait_ms);
        }
      }
      out.push({ record, error_message: t.error.message, retry_times: t.retries, dead_letter_timestamp: at });
      this.o.log('warn', 'record dead-lettered', { offset: record.offset, id: record.id, topic: record.topic, error: t.error.message, retries: t.retries });
    }
    return out;
  }
}
