// The durable per-connector journal: every received message is appended here before its
// PUBACK goes out; the connector loop reads after the committed offset and commits terminal
// outcomes (written, discarded, dead-lettered) together with dead letters in one transaction.
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SinkRecord, SinkRecordProperties } from '../connectors/sink.js';
import { answers, migrate, openDatabase } from '../sqlite.js';
import { statSync } from 'node:fs';
import { Checkpointer, type CheckpointerHealth, type CheckpointerOptions, type PersistedAccounting } from './checkpointer.js';
import { JOURNAL_MIGRATIONS } from './journal-schema.js';
import { decodeProps, encodeProps } from './record-codec.js';
import { DeadLetterStore, type NewDeadLetter } from './dead-letters.js';
import type { IntakeDiscardReason } from './discard-reasons.js';
import type { Logger } from './logger.js';
import { WriteHealth } from './write-health.js';
import { JournalTail } from './journal-tail.js';

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: SinkRecordProperties;
}

export interface Counters {
  received: number;
  written: number;
  discarded: Record<string, number>;
  dead_lettered: number;
  /** dropped by the connector's transform filter: never sent, on purpose */
  filtered: number;
  pending: number;
  retries: number;
  dlq_replayed: number;
  pending_bytes: number;
  last_success_at: number | null;
}

export interface CommitOutcome {
  /** highest offset of the batch: every record up to it has a terminal outcome */
  upTo: number;
  written: number;
  discarded: Record<string, number>;
  deadLetters: NewDeadLetter[];
  retries: number;
  /** records the transform filter dropped */
  filtered?: number;
}

/** A row of connector_state as the journal reads it (salvage reads the same table). */
export interface StateRow {
  id: number;
  committed_offset: number;
  received: number;
  written: number;
  discarded: string;
  dead_lettered: number;
  filtered: number;
  retries: number;
  dlq_replayed: number;
  last_success_at: number | null;
  dropped_up_to: number;
  epoch: string;
}

interface JournalRow {
  offset: number;
  topic: string;
  payload: Buffer;
  qos: number;
  retain: number;
  ts: number;
  props: string | null;
}

const rowBytes = (topic: string, payload: Buffer) => payload.length + Buffer.byteLength(topic);

export class Journal {
  readonly db: Database.Database;
  readonly deadLetters: DeadLetterStore;
  private readonly open = new Map<string, ConnectorJournal>();
  private sweeper?: NodeJS.Timeout;
  private group?: { hooks: ((err?: Error) => void)[] };
  private checkpointer?: Checkpointer;
  /** connectors with appends in the open group: their `received` is saved before it commits */
  private appended = new Set<ConnectorJournal>();
  private log?: Logger;
  /** set while appends, commits or the sweeper fail (disk full, I/O error); /ready reports it */
  readonly writes: WriteHealth;

  constructor(
    readonly path: string,
    checkpoints: CheckpointerOptions = {},
  ) {
    this.writes = new WriteHealth(`journal ${path}`);
    this.db = openDatabase(path);
    migrate(this.db, 'journal', JOURNAL_MIGRATIONS);
    // checkpoints run in a worker thread, never inside a commit on the event loop
    this.db.pragma('wal_autocheckpoint = 0');
    this.db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    if (path !== ':memory:') {
      this.checkpointer = new Checkpointer(
        path,
        {
          onProblem: (kind, message) => this.log?.[kind === 'recovered' ? 'info' : 'error']({ journal: path }, message),
          onAccounting: (rows) => this.takePersistedAccounting(rows),
        },
        checkpoints,
      );
    }
    this.deadLetters = new DeadLetterStore(this.db);
    // committed rows are deleted off the hot path
    this.sweeper = setInterval(() => this.sweepInBackground(), 1000);
    this.sweeper.unref();
  }

  /** Where the journal reports checkpoint failures and broken accounting (the runtime's logger). */
  useLog(log: Logger): void {
    this.log = log;
  }

  /** The checkpoint worker's health; undefined for an in-memory journal (nothing to checkpoint). */
  checkpointHealth(): CheckpointerHealth | undefined {
    return this.checkpointer?.health();
  }

  /** Ends the checkpoint worker as a crash would; it is started again (tests of the restart). */
  killCheckpointer(): Promise<number> {
    return this.checkpointer?.kill() ?? Promise.resolve(0);
  }

  /** Why checkpoints do not happen now (for /ready), or undefined. */
  checkpointProblem(): string | undefined {
    const h = this.checkpointer?.health();
    if (!h) return undefined;
    if (!h.up) return `journal ${this.path}: the checkpoint worker is not running (restarting): ${h.last_error ?? 'starting'}`;
    // failing checkpoints (e.g. a full disk, which /ready reports as such) show in the log and
    // the metrics; only a dead worker, which nothing else replaces, makes the runtime unready
    return undefined;
  }

  /** Size of the write-ahead log file in bytes (0 when there is none). */
  walBytes(): number {
    if (this.path === ':memory:') return 0;
    try {
      return statSync(`${this.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  private takePersistedAccounting(rows: PersistedAccounting[]): void {
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const j of this.open.values()) {
      const r = byId.get(j.id);
      if (r) j.takePersisted(r);
    }
  }

  /** @internal the connector journals report a broken identity here, once per breakage */
  reportAccounting(tenant: string, name: string, broken: boolean, detail: Record<string, unknown>): void {
    if (broken) this.log?.error({ tenant, connector: name, ...detail }, 'ACCOUNTING BROKEN: received ≠ written + discarded_total + dead_lettered + filtered + pending; messages may have been lost or counted twice');
    else this.log?.info({ tenant, connector: name, ...detail }, 'accounting holds again');
  }

  /** @internal */
  noteAppended(j: ConnectorJournal): void {
    this.appended.add(j);
  }

  /**
   * Appends made in one turn of the event loop (typically one socket read of PUBLISH packets)
   * share one transaction, committed on setImmediate. Sources hold their PUBACKs until then.
   */
  joinGroup(): void {
    if (this.group) return;
    this.db.exec('BEGIN');
    this.group = { hooks: [] };
    setImmediate(() => this.commitGroup());
  }

  /** Runs `hook` once the open append group is committed (with the error when it failed), or now when none is open. */
  afterCommit(hook: (err?: Error) => void): void {
    if (this.group) this.group.hooks.push(hook);
    else hook();
  }

  commitGroup(): void {
    const g = this.group;
    if (!g) return;
    this.group = undefined;
    const appended = [...this.appended];
    this.appended.clear();
    let err: Error | undefined;
    try {
      // received is persisted in the transaction of the appends it counts
      for (const j of appended) j.saveReceived();
      this.db.exec('COMMIT');
    } catch (e) {
      err = e as Error;
      try {
        this.db.exec('ROLLBACK');
      } catch {
        /* nothing left to roll back */
      }
      for (const j of this.open.values()) j.reload();
    }
    if (err) this.writes.noteFailure(err);
    else this.writes.noteSuccess();
    for (const h of g.hooks) h(err);
  }

  connector(tenant: string, name: string): ConnectorJournal {
    const key = `${tenant}\u0000${name}`;
    let j = this.open.get(key);
    if (!j) {
      // a fresh epoch per incarnation: record ids never repeat across delete and re-create
      this.db.prepare('INSERT OR IGNORE INTO connector_state (tenant, name, epoch) VALUES (?, ?, ?)').run(tenant, name, randomBytes(8).toString('hex'));
      const row = this.db.prepare('SELECT * FROM connector_state WHERE tenant = ? AND name = ?').get(tenant, name) as StateRow & { tenant: string; name: string };
      j = new ConnectorJournal(this, row);
      this.open.set(key, j);
    }
    return j;
  }

  /** Every connector this journal database holds state of. */
  connectorKeys(): { tenant: string; name: string }[] {
    return this.db.prepare('SELECT tenant, name FROM connector_state ORDER BY tenant, name').all() as { tenant: string; name: string }[];
  }

  /** Deletes every trace of a connector: journal rows, offsets, counters, dead letters. */
  remove(tenant: string, name: string): void {
    const key = `${tenant}\u0000${name}`;
    this.open.get(key)?.close();
    this.open.delete(key);
    const row = this.db.prepare('SELECT id FROM connector_state WHERE tenant = ? AND name = ?').get(tenant, name) as { id: number } | undefined;
    if (!row) return;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM journal WHERE connector_id = ?').run(row.id);
      this.db.prepare('DELETE FROM dead_letters WHERE connector_id = ?').run(row.id);
      this.db.prepare('DELETE FROM qos2_receipts WHERE connector_id = ?').run(row.id);
      this.db.prepare('DELETE FROM connector_state WHERE id = ?').run(row.id);
    })();
  }

  sweep(): void {
    for (const j of this.open.values()) j.deleteCommitted();
  }

  /**
   * The 1-second timer: a full disk or an I/O error is reported (write health, /ready), never
   * thrown out of the timer, where it would end the process. The next tick tries again.
   */
  private sweepInBackground(): void {
    try {
      this.writes.probe(this.db);
      this.sweep();
    } catch (e) {
      this.writes.noteFailure(e);
    }
  }

  healthy(): boolean {
    return answers(this.db);
  }

  /**
   * Commits what is pending, closes the database and waits for the checkpoint worker to close
   * its own connection: until then it may still create the -wal/-shm files next to the journal.
   */
  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    if (this.db.open) {
      this.commitGroup();
      try {
        this.sweep();
      } catch {
        /* what is not swept now is swept at the next start */
      }
      this.db.close();
    }
    await checkpointer?.stop();
  }
}

/** A record's stable id: the connector incarnation's epoch and the journal offset. */
export const recordId = (epoch: string, offset: number): string => `${epoch}-${offset}`;

export class ConnectorJournal {
  readonly id: number;
  /** random per connector incarnation; the prefix of every record id */
  readonly epoch: string;
  private committed: number;
  private nextOffset = 1;
  private droppedUpTo = 0;
  private sweptUpTo: number;
  private counters: Counters;
  private waiters = new Set<() => void>();
  private closed = false;
  private accountingBroken = false;
  private persisted?: PersistedAccounting;
  /** the newest appends as records: the loop reads them from here, not back from the rows */
  private readonly tail = new JournalTail();
  private readonly stmts;
  readonly tenant: string;
  readonly name: string;

  constructor(
    private readonly journal: Journal,
    row: StateRow & { tenant: string; name: string },
  ) {
    const db = journal.db;
    this.id = row.id;
    this.tenant = row.tenant;
    this.name = row.name;
    this.epoch = row.epoch;
    this.committed = row.committed_offset;
    this.sweptUpTo = 0;
    this.stmts = {
      insert: db.prepare('INSERT INTO journal (connector_id, offset, topic, payload, qos, retain, ts, props) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      read: db.prepare('SELECT offset, topic, payload, qos, retain, ts, props FROM journal WHERE connector_id = ? AND offset > ? ORDER BY offset LIMIT ?'),
      oldest: db.prepare('SELECT offset, ts, length(payload) + length(CAST(topic AS BLOB)) AS bytes FROM journal WHERE connector_id = ? AND offset > ? ORDER BY offset LIMIT ?'),
      deleteRange: db.prepare('DELETE FROM journal WHERE connector_id = ? AND offset > ? AND offset <= ?'),
      deleteOne: db.prepare('DELETE FROM journal WHERE connector_id = ? AND offset = ?'),
      saveState: db.prepare('UPDATE connector_state SET committed_offset = ?, received = ?, written = ?, discarded = ?, dead_lettered = ?, filtered = ?, retries = ?, dlq_replayed = ?, last_success_at = ?, dropped_up_to = ? WHERE id = ?'),
      saveReceived: db.prepare('UPDATE connector_state SET received = ? WHERE id = ?'),
    };
    this.counters = this.load(row);
  }

  /** Re-reads offsets and counters from the database (after a failed group commit). */
  reload(): void {
    this.tail.clear();
    const row = this.journal.db.prepare('SELECT * FROM connector_state WHERE id = ?').get(this.id) as StateRow | undefined;
    if (row) this.counters = this.load(row);
  }

  private load(row: StateRow): Counters {
    this.committed = row.committed_offset;
    const agg = this.journal.db
      .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(length(payload) + length(CAST(topic AS BLOB))), 0) AS bytes, COALESCE(MAX(offset), 0) AS maxOffset FROM journal WHERE connector_id = ? AND offset > ?')
      .get(this.id, this.committed) as { n: number; bytes: number; maxOffset: number };
    this.droppedUpTo = row.dropped_up_to;
    this.nextOffset = Math.max(this.committed, agg.maxOffset, row.dropped_up_to) + 1;
    const discarded = JSON.parse(row.discarded) as Record<string, number>;
    return {
      // counted at intake and stored on its own; pending is the real number of rows
      received: row.received,
      written: row.written,
      discarded,
      dead_lettered: row.dead_lettered,
      filtered: row.filtered ?? 0,
      pending: agg.n,
      retries: row.retries,
      dlq_replayed: row.dlq_replayed,
      pending_bytes: agg.bytes,
      last_success_at: row.last_success_at,
    };
  }

  get committedOffset(): number {
    return this.committed;
  }

  snapshot(): Counters {
    return { ...this.counters, discarded: { ...this.counters.discarded } };
  }

  /** Synchronously appends one message; returns its offset. Durable once the append group commits (see Journal.afterCommit). */
  append(m: IncomingMessage, now = Date.now()): number {
    this.journal.joinGroup();
    const offset = this.nextOffset;
    const props = encodeProps(m.properties);
    this.stmts.insert.run(this.id, offset, m.topic, m.payload, m.qos, m.retain ? 1 : 0, now, props);
    this.nextOffset = offset + 1;
    const rec: SinkRecord = { id: recordId(this.epoch, offset), offset, topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, timestamp: now };
    // exactly what reading the row back would give
    if (props !== null) rec.properties = decodeProps(props);
    this.tail.push(rec);
    this.counters.received += 1;
    this.journal.noteAppended(this);
    this.counters.pending += 1;
    this.counters.pending_bytes += rowBytes(m.topic, m.payload);
    this.wake();
    return offset;
  }

  /** Would appending `bytes` more exceed `limit`? */
  wouldExceed(bytes: number, limit: number): boolean {
    return this.counters.pending_bytes + bytes > limit;
  }

  /**
   * Deletes the oldest pending records that are not in flight (offset > `notBefore`) until
   * `bytes` more fit under `limit`. Each is counted as discarded{journal_full}. Returns how many.
   */
  dropOldest(bytes: number, limit: number, notBefore: number): number {
    let dropped = 0;
    this.journal.db.transaction(() => {
      const floor = Math.max(this.committed, notBefore);
      while (this.counters.pending_bytes + bytes > limit) {
        const rows = this.stmts.oldest.all(this.id, floor, 256) as { offset: number; ts: number; bytes: number }[];
        const victims = rows.filter((r) => r.offset > floor);
        if (victims.length === 0) break;
        for (const v of victims) {
          if (this.counters.pending_bytes + bytes <= limit) break;
          this.stmts.deleteOne.run(this.id, v.offset);
          this.droppedUpTo = Math.max(this.droppedUpTo, v.offset);
          this.counters.pending_bytes -= v.bytes;
          this.counters.pending -= 1;
          dropped += 1;
        }
      }
      if (dropped > 0) {
        this.tail.clear();
        this.counters.discarded.journal_full = (this.counters.discarded.journal_full ?? 0) + dropped;
        this.saveState();
      }
    })();
    return dropped;
  }

  /** Up to `limit` records after `after` (default: the committed offset), in offset order. */
  read(limit: number, after = this.committed): SinkRecord[] {
    const held = this.tail.from(after, limit);
    if (!held) return this.readRows(limit, after);
    // the tail ends before the newest row (it was full when those came): the rest from the rows
    if (held.length < limit && this.nextOffset - 1 > this.tail.lastOffset) return held.concat(this.readRows(limit - held.length, this.tail.lastOffset));
    return held;
  }

  private readRows(limit: number, after: number): SinkRecord[] {
    return this.toRecords(this.stmts.read.all(this.id, after, limit) as JournalRow[]);
  }

  /** The newest `limit` records still in the journal (pending, or written but not yet swept), oldest first. */
  latest(limit: number): SinkRecord[] {
    const rows = this.journal.db.prepare('SELECT offset, topic, payload, qos, retain, ts, props FROM journal WHERE connector_id = ? ORDER BY offset DESC LIMIT ?').all(this.id, limit) as JournalRow[];
    return this.toRecords(rows.reverse());
  }

  private toRecords(rows: JournalRow[]): SinkRecord[] {
    return rows.map((r) => {
      const rec: SinkRecord = { id: recordId(this.epoch, r.offset), offset: r.offset, topic: r.topic, payload: r.payload, qos: r.qos as 0 | 1 | 2, retain: r.retain === 1, timestamp: r.ts };
      const props = decodeProps(r.props);
      if (props) rec.properties = props;
      return rec;
    });
  }

  oldestPendingTimestamp(): number | null {
    const row = this.stmts.oldest.get(this.id, this.committed, 1) as { ts: number } | undefined;
    return row ? row.ts : null;
  }

  /** Commits a batch's outcome, its counters and its dead letters in one transaction. */
  commit(o: CommitOutcome, records: readonly SinkRecord[]): void {
    const bytes = records.reduce((n, r) => n + rowBytes(r.topic, r.payload), 0);
    const discardedN = Object.values(o.discarded).reduce((a, b) => a + b, 0);
    try {
      this.commitTransaction(o, bytes, discardedN);
      this.journal.writes.noteSuccess();
    } catch (e) {
      // rolled back (e.g. disk full): the offset and counters in memory must not run ahead of the file
      this.reload();
      this.journal.writes.noteFailure(e);
      throw e;
    }
  }

  private commitTransaction(o: CommitOutcome, bytes: number, discardedN: number): void {
    this.journal.db.transaction(() => {
      for (const d of o.deadLetters) this.journal.deadLetters.insert(this.id, d);
      this.committed = Math.max(this.committed, o.upTo);
      this.counters.written += o.written;
      for (const [reason, n] of Object.entries(o.discarded)) this.counters.discarded[reason] = (this.counters.discarded[reason] ?? 0) + n;
      this.counters.dead_lettered += o.deadLetters.length;
      this.counters.filtered += o.filtered ?? 0;
      this.counters.retries += o.retries;
      this.counters.pending -= o.written + discardedN + o.deadLetters.length + (o.filtered ?? 0);
      this.counters.pending_bytes -= bytes;
      if (o.written > 0) this.counters.last_success_at = Date.now();
      this.saveState();
    })();
    this.tail.trimThrough(this.committed);
  }

  /** Counts a message that was received but could not be journaled (e.g. QoS 0 while full). */
  countUnjournaled(reason: IntakeDiscardReason): void {
    this.counters.received += 1;
    this.counters.discarded[reason] = (this.counters.discarded[reason] ?? 0) + 1;
    this.saveState();
  }

  /** Counts record re-sends as they happen, so status and metrics stay live during a long retry. */
  countRetries(n: number): void {
    this.counters.retries += n;
    this.saveState();
  }

  /**
   * Settles one replayed page of dead letters in one transaction: the written ones leave the
   * table and are counted as replayed (they stay counted as dead_lettered: the identity is about
   * the journal), the failed ones keep their new error.
   */
  commitReplay(written: readonly number[], failed: readonly { id: number; error: string; retries: number }[]): void {
    try {
      this.journal.db.transaction(() => {
        this.journal.deadLetters.settleReplay(this.id, written, failed);
        this.counters.dlq_replayed += written.length;
        if (written.length > 0) this.counters.last_success_at = Date.now();
        this.saveState();
      })();
      this.journal.writes.noteSuccess();
    } catch (e) {
      this.reload();
      this.journal.writes.noteFailure(e);
      throw e;
    }
  }

  deleteCommitted(): void {
    if (this.closed || this.sweptUpTo >= this.committed) return;
    this.stmts.deleteRange.run(this.id, this.sweptUpTo, this.committed);
    this.sweptUpTo = this.committed;
  }

  /** Resolves on the next append (or after `ms`, or when `signal` aborts). */
  waitForAppend(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  close(): void {
    this.closed = true;
    this.tail.clear();
    this.wake();
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    for (const f of [...this.waiters]) f();
  }

  /** @internal saves `received` (in the append group's transaction) */
  saveReceived(): void {
    if (!this.closed) this.stmts.saveReceived.run(this.counters.received, this.id);
  }

  /**
   * Whether received = written + discarded_total + dead_lettered + filtered + pending holds, in memory and
   * in the last snapshot the checkpoint worker verified against the journal's rows. A breakage is
   * logged once, when it starts (and once when it heals).
   */
  accountingOk(c: Counters = this.counters): boolean {
    const discarded = Object.values(c.discarded).reduce((a, b) => a + b, 0);
    const accounted = c.written + discarded + c.dead_lettered + c.filtered + c.pending;
    const persisted = this.persisted;
    const ok = c.received === accounted && (persisted === undefined || persisted.received === persisted.accounted);
    if (ok === this.accountingBroken) {
      this.accountingBroken = !ok;
      const detail: Record<string, unknown> = { received: c.received, accounted, pending: c.pending };
      if (persisted) Object.assign(detail, { stored_received: persisted.received, stored_accounted: persisted.accounted, journal_rows: persisted.pending_rows });
      this.journal.reportAccounting(this.tenant, this.name, !ok, detail);
    }
    return ok;
  }

  /** @internal the checkpoint worker's reading of the stored counters and rows */
  takePersisted(r: PersistedAccounting): void {
    this.persisted = r;
    this.accountingOk();
  }

  private saveState(): void {
    const c = this.counters;
    this.stmts.saveState.run(this.committed, c.received, c.written, JSON.stringify(c.discarded), c.dead_lettered, c.filtered, c.retries, c.dlq_replayed, c.last_success_at, this.droppedUpTo, this.id);
  }
}
