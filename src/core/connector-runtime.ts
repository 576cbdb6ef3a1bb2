// One connector's life: its MQTT source (always on, so the journal fills even while paused),
// its sink and loop (started, paused, swapped, restarted), its state and status.
import { compileTransform } from './transform/pipeline.js';
import type { ConnectorSink, SinkRecord } from '../connectors/sink.js';
import type { ConnectorStatus, ConnectorState } from './connector-status.js';
import type { ConnectorDefinition } from '../metadata/definition.js';
import { parseConnectorType } from '../metadata/registry.js';
import { openSink } from '../metadata/open-sink.js';
import { maxInFlight } from '../metadata/in-flight.js';
import { maskText } from '../metadata/secret-masking.js';
import { SluiceError } from '../errors.js';
import { ConnectorLoop } from './connector-loop.js';
import { asSinkError } from './send-with-bisect.js';
import type { DeadLetterPublisher } from './dlq-publisher.js';
import type { ConnectorJournal, IncomingMessage, Journal } from './journal.js';
import { type LogFn, type Logger, logFn } from './logger.js';
import type { RuntimeMetrics } from './metrics.js';
import { connectorClientId } from './client-identity.js';
import { type AppendResult, type BrokerSettings, discardSession, type MqttSource, openSource, unsubscribeSession } from './mqtt-source.js';
import { Qos2Receipts } from './qos2-receipts.js';

export interface RuntimeDeps {
  journal: Journal;
  broker: BrokerSettings;
  dlq: DeadLetterPublisher;
  log: Logger;
  metrics: RuntimeMetrics;
  /** fleet mode: the filter each connector's source session subscribes to (a shared subscription); unset: the topic filter as written */
  subscription?: (tenant: string, name: string, filter: string) => string;
}

const MIN_ERROR_BACKOFF_MS = 1000;
const MAX_ERROR_BACKOFF_MS = 60_000;
/** intake resumes once the journal is below this share of its bound */
const RESUME_AT = 0.9;
/** a sink whose validate() or init() hangs puts the connector in `error` instead of blocking it */
const SINK_START_TIMEOUT_MS = 60_000;

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class ConnectorRuntime {
  state: ConnectorState = 'idle';
  private source?: MqttSource;
  private sink?: ConnectorSink;
  private loop?: ConnectorLoop;
  private readonly cj: ConnectorJournal;
  private readonly log: LogFn;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private errorBackoff = MIN_ERROR_BACKOFF_MS;
  private retryTimer?: NodeJS.Timeout;
  /** while the sink cannot start: since when, and the next attempt */
  private waitingSince: number | null = null;
  private nextAttemptAt: number | null = null;
  /** size of the message the source could not take while the journal was full */
  private blockedBytes = 0;
  /** lifecycle operations run one after another */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    public def: ConnectorDefinition,
    private readonly deps: RuntimeDeps,
  ) {
    this.cj = deps.journal.connector(def.tenant, def.name);
    this.log = logFn(deps.log.child({ tenant: def.tenant, connector: def.name, type: def.type }));
  }

  get journal(): ConnectorJournal {
    return this.cj;
  }

  private serial(op: () => Promise<void>): Promise<void> {
    const next = this.chain.then(op, op);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every lifecycle operation queued so far has finished. */
  settled(): Promise<void> {
    return this.chain;
  }

  start(): Promise<void> {
    return this.serial(async () => {
      this.startSource();
      if (this.def.desired_state === 'running') await this.startSink();
      else this.state = 'paused';
    });
  }

  /** Applies a changed definition: drains the current batch, swaps the sink; journal and offset stay. */
  update(next: ConnectorDefinition): Promise<void> {
    return this.serial(async () => {
      const prev = this.def;
      await this.stopSink();
      this.def = next;
      if (prev.topic_filter !== next.topic_filter || prev.delivery.qos !== next.delivery.qos) {
        await this.source?.stop();
        if (prev.topic_filter !== next.topic_filter) {
          await unsubscribeSession(this.deps.broker, this.clientId(), this.subscribed(prev.topic_filter)).catch((e: Error) => this.log('warn', `could not unsubscribe ${prev.topic_filter}: ${e.message}`));
        }
        this.startSource();
      }
      if (next.desired_state === 'running') await this.startSink();
      else this.state = 'paused';
    });
  }

  restart(): Promise<void> {
    return this.serial(async () => {
      await this.stopSink();
      await this.source?.stop();
      this.errorBackoff = MIN_ERROR_BACKOFF_MS;
      this.startSource();
      if (this.def.desired_state === 'running') await this.startSink();
      else this.state = 'paused';
    });
  }

  /** Finishes the batch on the wire, closes sink and source. */
  stop(): Promise<void> {
    return this.serial(async () => {
      this.state = 'stopping';
      await this.stopSink();
      await this.source?.stop();
      this.source = undefined;
      this.state = 'idle';
    });
  }

  /** Stops and removes every trace: journal, offsets, counters, dead letters, broker session. */
  async destroy(): Promise<void> {
    await this.stop();
    await discardSession(this.deps.broker, this.clientId()).catch(() => undefined);
    this.deps.journal.remove(this.def.tenant, this.def.name);
  }

  /** The newest records of the journal, for trying a transform on real messages. */
  recentRecords(limit: number): SinkRecord[] {
    return this.cj.latest(limit);
  }

  /** Replays dead letters through the connector's loop, between its batches. */
  replayDeadLetters(ids?: number[]): Promise<{ replayed: number; failed: number }> {
    const loop = this.loop;
    const state = this.liveState();
    if (!loop || state !== 'running') {
      const why = state === 'waiting' ? `waiting for its target (${this.loop?.waiting?.error ?? this.lastError ?? 'unavailable'})` : state === 'running' ? 'starting its sink (a changed definition is being applied)' : state;
      return Promise.reject(new SluiceError('NOT_RUNNING', `connector ${this.def.tenant}/${this.def.name} is ${why}; dead letters replay through its running sink`));
    }
    return loop.replay(ids);
  }

  /** The state as an operator sees it: `waiting` while the running loop waits for an unavailable target. */
  private liveState(): ConnectorState {
    if (this.state === 'running' && this.loop?.waiting) return 'waiting';
    return this.state;
  }

  private clientId(): string {
    return connectorClientId(this.deps.journal.db, this.deps.broker.clientIdPrefix, this.def.tenant, this.def.name);
  }

  private subscribed(filter: string): string {
    return this.deps.subscription ? this.deps.subscription(this.def.tenant, this.def.name, filter) : filter;
  }

  private startSource(): void {
    const d = this.def.delivery;
    const journal = this.deps.journal;
    this.source = openSource({
      broker: this.deps.broker,
      clientId: this.clientId(),
      topicFilter: this.subscribed(this.def.topic_filter),
      qos: d.qos as 0 | 1 | 2,
      onMessage: (m) => this.take(m),
      afterCommit: (hook) => journal.afterCommit(hook),
      commitNow: () => journal.commitGroup(),
      receipts: new Qos2Receipts(journal.db, this.cj.id, () => journal.joinGroup()),
      countDropped: (n) => {
        for (let i = 0; i < n; i++) this.cj.countUnjournaled('journal_full');
      },
      // room for the message the broker will redeliver first, and below the resume mark
      hasRoom: () => {
        const max = this.def.delivery.max_journal_bytes;
        return !this.cj.wouldExceed(this.blockedBytes, max) && !this.cj.wouldExceed(0, Math.floor(max * RESUME_AT));
      },
      log: this.log,
    });
    this.source.start();
  }

  /** Journals one message synchronously, or says the journal is full. */
  private take(m: IncomingMessage): AppendResult {
    const max = this.def.delivery.max_journal_bytes;
    const bytes = m.payload.length + Buffer.byteLength(m.topic);
    if (this.cj.wouldExceed(bytes, max)) {
      if (bytes > max) {
        this.cj.countUnjournaled('larger_than_journal');
        this.log('error', 'message larger than max_journal_bytes discarded', { reason: 'larger_than_journal', topic: m.topic, bytes, max_journal_bytes: max });
        return 'ok';
      }
      if (this.def.delivery.on_journal_full === 'drop_oldest') {
        const n = this.cj.dropOldest(bytes, max, this.loop?.inFlightUpTo ?? 0);
        if (n > 0) this.log('warn', 'journal full: oldest pending records discarded', { count: n, reason: 'journal_full' });
      }
      if (this.cj.wouldExceed(bytes, max)) {
        if (m.qos === 0) {
          this.cj.countUnjournaled('journal_full');
          this.log('warn', 'journal full: QoS 0 message discarded', { topic: m.topic, reason: 'journal_full' });
          return 'ok';
        }
        this.blockedBytes = bytes;
        return 'full';
      }
    }
    this.cj.append(m);
    return 'ok';
  }

  private async startSink(): Promise<void> {
    this.cancelRetry();
    try {
      const type = parseConnectorType(this.def.type);
      const sink = await openSink(type, this.def.config, { tenant: this.def.tenant, connectorName: this.def.name, log: this.log, sourceBrokerUrl: this.deps.broker.url });
      this.sink = sink;
      await withTimeout(sink.validate(), SINK_START_TIMEOUT_MS, `sink validate() did not finish within ${SINK_START_TIMEOUT_MS / 1000} s`);
      await withTimeout(sink.init(), SINK_START_TIMEOUT_MS, `sink init() did not finish within ${SINK_START_TIMEOUT_MS / 1000} s`);
      const labels = { tenant: this.def.tenant, type: this.def.type, name: this.def.name };
      const loop = new ConnectorLoop({
        tenant: this.def.tenant,
        name: this.def.name,
        journal: this.cj,
        deadLetters: this.deps.journal.deadLetters,
        sink,
        strategy: this.def.failure_strategy,
        delivery: this.def.delivery,
        maxInFlight: maxInFlight(type, this.def.delivery),
        dlq: this.deps.dlq,
        ...(this.def.transform ? { transform: compileTransform(this.def.transform) } : {}),
        log: this.log,
        observeSend: (ms, ok) => this.deps.metrics.observeBatch(labels, ok ? 'ok' : 'failed', ms / 1000),
        onRetry: (n, e) => this.log('warn', 'retrying records', { records: n, error: e.message }),
      });
      this.loop = loop;
      loop.start();
      this.state = 'running';
      this.errorBackoff = MIN_ERROR_BACKOFF_MS;
      this.waitingSince = null;
      this.nextAttemptAt = null;
      this.log('info', 'connector running');
      void loop.failed().then((e) => {
        if (e && this.loop === loop) void this.serial(() => this.fail(e));
      });
    } catch (e) {
      await this.fail(e as Error);
    }
  }

  /**
   * The sink could not start (or its loop ended): close what was opened, show the error, try
   * again with capped backoff. A target that is unavailable (unreachable, refusing our
   * credentials) is `waiting`; anything else is `error`. Either way the journal keeps filling.
   */
  private async fail(e: Error): Promise<void> {
    await this.stopSink();
    const unavailable = asSinkError(e).kind === 'unavailable';
    this.state = unavailable ? 'waiting' : 'error';
    this.lastError = e.message;
    this.lastErrorAt = Date.now();
    this.waitingSince ??= Date.now();
    this.nextAttemptAt = Date.now() + this.errorBackoff;
    this.log(unavailable ? 'warn' : 'error', `${unavailable ? 'target unavailable' : 'connector failed'}, retrying in ${this.errorBackoff} ms: ${e.message}`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.serial(async () => {
        if ((this.state === 'error' || this.state === 'waiting') && this.def.desired_state === 'running') await this.startSink();
      });
    }, this.errorBackoff);
    this.errorBackoff = Math.min(this.errorBackoff * 2, MAX_ERROR_BACKOFF_MS);
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private async stopSink(): Promise<void> {
    this.cancelRetry();
    const loop = this.loop;
    this.loop = undefined;
    if (loop) {
      await loop.stop();
      if (loop.lastError) {
        this.lastError = loop.lastError;
        this.lastErrorAt = loop.lastErrorAt;
      }
    }
    const sink = this.sink;
    this.sink = undefined;
    if (sink) await withTimeout(sink.cleanup(), SINK_START_TIMEOUT_MS, 'sink cleanup() did not finish').catch((e: Error) => this.log('warn', `sink cleanup failed: ${e.message}`));
  }

  status(): ConnectorStatus {
    const c = this.cj.snapshot();
    const discardedTotal = Object.values(c.discarded).reduce((a, b) => a + b, 0);
    const oldest = this.cj.oldestPendingTimestamp();
    const lastError = latestError([
      { message: this.lastError, at: this.lastErrorAt },
      { message: this.loop?.lastError ?? null, at: this.loop?.lastErrorAt ?? null },
      { message: this.source?.lastError ?? null, at: this.source?.lastErrorAt ?? null },
    ]);
    return {
      tenant: this.def.tenant,
      name: this.def.name,
      type: this.def.type,
      state: this.liveState(),
      desired_state: this.def.desired_state,
      waiting_since: this.loop?.waiting?.since ?? (this.state === 'waiting' ? this.waitingSince : null),
      next_attempt_at: this.loop?.waiting?.nextAttemptAt ?? (this.state === 'waiting' || this.state === 'error' ? this.nextAttemptAt : null),
      source_connected: this.source?.connected ?? false,
      journal_full: this.source?.journalFull ?? false,
      received: c.received,
      written: c.written,
      discarded: c.discarded,
      discarded_total: discardedTotal,
      dead_lettered: c.dead_lettered,
      filtered: c.filtered,
      pending: c.pending,
      accounting_ok: this.cj.accountingOk(c),
      retries: c.retries,
      dlq_replayed: c.dlq_replayed,
      committed_offset: this.cj.committedOffset,
      last_success_at: c.last_success_at,
      oldest_pending_age_ms: oldest === null ? 0 : Math.max(0, Date.now() - oldest),
      journal_bytes: c.pending_bytes,
      max_journal_bytes: this.def.delivery.max_journal_bytes,
      last_error: lastError.message === null ? null : maskText(lastError.message),
      last_error_at: lastError.at,
    };
  }
}

interface TimedError {
  message: string | null;
  at: number | null;
}

/** The most recent of the runtime's, the loop's and the source's last errors. */
function latestError(errors: TimedError[]): TimedError {
  let latest: TimedError = { message: null, at: null };
  for (const e of errors) if (e.message !== null && (latest.message === null || (e.at ?? 0) > (latest.at ?? 0))) latest = e;
  return latest;
}
