// The per-connector loop: read a batch after the committed offset (lingering for a full one),
// deliver it under the failure strategy, publish dead letters, then commit offset + outcome +
// dead letters in one transaction. Only terminal outcomes move the offset.
import type { ConnectorSink, SinkError, SinkRecord } from '../connectors/sink.js';
import type { Delivery } from '../metadata/delivery.js';
import type { FailureStrategy } from '../metadata/failure-strategy.js';
import { type DeadLetterPublisher, deadLetterMessage } from './dlq-publisher.js';
import { type BatchOutcome, deliverBatch } from './failure-policy.js';
import type { ConnectorJournal } from './journal.js';
import type { NewDeadLetter } from './dead-letters.js';
import { abortableSleep } from './sleep.js';

export interface LoopOptions {
  tenant: string;
  name: string;
  journal: ConnectorJournal;
  sink: ConnectorSink;
  strategy: FailureStrategy;
  delivery: Delivery;
  dlq: DeadLetterPublisher;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  observeSend?: (ms: number, ok: boolean) => void;
  onRetry?: (records: number, error: SinkError) => void;
  onOutcome?: (o: BatchOutcome, records: readonly SinkRecord[]) => void;
}

const IDLE_WAIT_MS = 1000;

export class ConnectorLoop {
  private readonly abort = new AbortController();
  private done?: Promise<void>;
  /** highest offset handed to the sink and not yet committed (0 = none) */
  inFlightUpTo = 0;
  lastError: string | null = null;
  lastErrorAt: number | null = null;

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

  /** Interrupts retry waits, lets the batch on the wire finish, and resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.done?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { journal, delivery } = this.o;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let records = journal.read(delivery.batch_size);
      if (records.length === 0) {
        await journal.waitForAppend(IDLE_WAIT_MS, signal);
        continue;
      }
      if (records.length < delivery.batch_size && delivery.linger_ms > 0) {
        const until = Date.now() + delivery.linger_ms;
        while (records.length < delivery.batch_size && Date.now() < until && !signal.aborted) {
          await journal.waitForAppend(until - Date.now(), signal);
          records = journal.read(delivery.batch_size);
        }
      }
      if (signal.aborted) break;
      await this.handle(records, signal);
    }
  }

  private async handle(records: SinkRecord[], signal: AbortSignal): Promise<void> {
    const { sink, strategy, journal } = this.o;
    const last = records[records.length - 1] as SinkRecord;
    this.inFlightUpTo = last.offset;
    try {
      const outcome = await deliverBatch(sink, records, strategy, signal, {
        observeSend: this.o.observeSend,
        onRetry: (n, error) => {
          // counted and shown while the retries go on, not only once the batch is over
          journal.countRetries(n);
          this.lastError = error.message;
          this.lastErrorAt = Date.now();
          this.o.onRetry?.(n, error);
        },
      });
      if (outcome.aborted) return;
      if (outcome.lastError) {
        this.lastError = outcome.lastError;
        this.lastErrorAt = Date.now();
      }
      const deadLetters = await this.publishDeadLetters(outcome, records, signal);
      if (!deadLetters) return;
      const discarded: Record<string, number> = {};
      for (const d of outcome.discarded) {
        discarded[d.reason] = (discarded[d.reason] ?? 0) + 1;
        this.o.log('warn', 'record discarded', { reason: d.reason, offset: records[d.index]?.offset, topic: records[d.index]?.topic, error: d.error.message });
      }
      // retries: already counted through onRetry
      journal.commit({ upTo: last.offset, written: outcome.written, discarded, deadLetters, retries: 0 }, records);
      this.o.onOutcome?.(outcome, records);
    } finally {
      this.inFlightUpTo = 0;
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
          this.lastError = `dead-letter publish to ${strategy.topic_name} failed: ${(e as Error).message}`;
          this.lastErrorAt = Date.now();
          this.o.log('warn', this.lastError);
          await abortableSleep(wait, signal);
          wait = Math.min(wait * 2, strategy.max_wait_ms);
        }
      }
      out.push({ record, error_message: t.error.message, retry_times: t.retries, dead_letter_timestamp: at });
      this.o.log('warn', 'record dead-lettered', { offset: record.offset, topic: record.topic, error: t.error.message, retries: t.retries });
    }
    return out;
  }
}
