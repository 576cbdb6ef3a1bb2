// SQLite's automatic WAL checkpoint runs inside whichever commit crosses the threshold and
// fsyncs the database file: on the event loop that is a stall of tens to hundreds of ms for
// every connector (measured: p99 latency 140–600 ms with it, ~20 ms without). The journal turns
// it off and this worker thread, with its own connection, checkpoints in the background; a
// PASSIVE checkpoint never blocks the writer. (journal_size_limit, set by the journal, trims the
// WAL file when the writer restarts it after a complete checkpoint.)
//
// Nothing else checkpoints, so a failing or dead worker means an unbounded WAL: its failures are
// reported (log, /ready, metrics) and a dead worker is started again with capped backoff. The
// same worker verifies the persisted accounting of every connector off the event loop (a COUNT
// over a million journal rows takes ~200 ms), from one consistent snapshot.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
} catch (e) {
  parentPort.postMessage({ fatal: String(e && e.message || e) });
  process.exit(1);
}
parentPort.postMessage({ started: true });
// one statement reads one snapshot: the counters and the rows they account for agree in it
const ACCOUNTING = \`SELECT s.id, s.received,
  s.written + s.dead_lettered + s.filtered + (SELECT COALESCE(SUM(value), 0) FROM json_each(s.discarded))
    + (SELECT COUNT(*) FROM journal j WHERE j.connector_id = s.id AND j.offset > s.committed_offset) AS accounted,
  (SELECT COUNT(*) FROM journal j WHERE j.connector_id = s.id AND j.offset > s.committed_offset) AS pending_rows
  FROM connector_state s\`;
let accounting;
let busy = false;
let failing = workerData.failing;
let lastVerify = 0;
const timer = setInterval(() => {
  if (busy) return;
  busy = true;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // under a steady stream of commits a passive checkpoint never finds the log idle, so the
    // WAL would only grow: past the limit, RESTART waits for the current commit, copies the
    // few frames left and makes the next commit start the log from its beginning again
    if (r && r.log > workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
    if (failing) parentPort.postMessage({ recovered: true });
    failing = false;
    if (Date.now() - lastVerify >= workerData.verifyEveryMs) {
      lastVerify = Date.now();
      accounting ??= db.prepare(ACCOUNTING);
      parentPort.postMessage({ accounting: accounting.all() });
    }
  } catch (e) {
    failing = true;
    parentPort.postMessage({ error: String(e && e.message || e) });
  } finally {
    busy = false;
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.postMessage('stopped');
  }
});
`;

/** The persisted accounting of one connector, as the worker read it from one snapshot. */
export interface PersistedAccounting {
  /** connector_state.id */
  id: number;
  received: number;
  /** written + discarded + dead_lettered + filtered + journal rows after the committed offset */
  accounted: number;
  pending_rows: number;
}

export interface CheckpointerHealth {
  /** the worker runs or is starting (false from its death until it is started again) */
  up: boolean;
  /** checkpoints fail now: the last attempt failed and none succeeded since */
  failing: boolean;
  failures: number;
  restarts: number;
  last_error: string | null;
  last_error_at: number | null;
}

export interface CheckpointerEvents {
  /** a checkpoint failed or the worker died; `recovered` when checkpoints succeed again */
  onProblem(kind: 'failed' | 'died' | 'recovered', message: string): void;
  onAccounting(rows: PersistedAccounting[]): void;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  /** how often the accounting is verified */
  verifyEveryMs?: number;
  /** first wait before a dead worker is started again; doubles up to MAX_RESTART_MS */
  restartMs?: number;
}

const MAX_RESTART_MS = 30_000;

export class Checkpointer {
  private worker?: Worker;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;
  private restartWait: number;
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3');
  private readonly h: CheckpointerHealth = { up: true, failing: false, failures: 0, restarts: 0, last_error: null, last_error_at: null };

  constructor(
    private readonly path: string,
    private readonly events: CheckpointerEvents,
    private readonly o: CheckpointerOptions = {},
  ) {
    this.restartWait = o.restartMs ?? 1000;
    this.spawn();
  }

  health(): CheckpointerHealth {
    return { ...this.h };
  }

  /** Ends the worker as a crash would (for tests of the restart). */
  kill(): Promise<number> {
    return this.worker?.terminate() ?? Promise.resolve(0);
  }

  private spawn(): void {
    // 4,096 frames of 4 KiB: the log is restarted once it holds ~16 MiB
    const workerData = { driver: this.driver, path: this.path, intervalMs: this.o.intervalMs ?? 250, failing: this.h.failing, verifyEveryMs: this.o.verifyEveryMs ?? 10_000, restartFrames: 4096 };
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    this.worker = worker;
    worker.unref();
    let crash: string | undefined;
    worker.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'fatal' in m) crash = String((m as { fatal: unknown }).fatal);
      else this.take(m);
    });
    worker.on('error', (e) => (crash = e.message));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.h.up = false;
      if (this.stopped) return;
      this.noteError(crash ?? `checkpoint worker exited (code ${code})`);
      this.events.onProblem('died', `journal checkpoint worker died, restarting in ${this.restartWait} ms: ${this.h.last_error}`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (this.stopped) return;
        this.h.restarts += 1;
        this.spawn();
      }, this.restartWait);
      this.restartTimer.unref();
      this.restartWait = Math.min(this.restartWait * 2, MAX_RESTART_MS);
    });
  }

  private take(m: unknown): void {
    if (typeof m !== 'object' || m === null) return;
    if ('started' in m) {
      this.h.up = true;
      this.restartWait = this.o.restartMs ?? 1000;
    } else if ('error' in m) this.fail(String((m as { error: unknown }).error));
    else if ('recovered' in m) {
      this.h.failing = false;
      this.restartWait = this.o.restartMs ?? 1000;
      this.events.onProblem('recovered', 'journal checkpoints succeed again');
    } else if ('accounting' in m) {
      this.h.failing = false;
      this.restartWait = this.o.restartMs ?? 1000;
      this.events.onAccounting((m as { accounting: PersistedAccounting[] }).accounting);
    }
  }

  private noteError(message: string): void {
    this.h.failures += 1;
    this.h.last_error = message;
    this.h.last_error_at = Date.now();
  }

  private fail(message: string): void {
    const first = !this.h.failing;
    this.h.failing = true;
    this.noteError(message);
    // once per run of failures, not every 250 ms
    if (first) this.events.onProblem('failed', `journal checkpoint failed: ${message}`);
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => resolve();
      worker.once('exit', done);
      worker.once('message', (m) => {
        if (m === 'stopped') void worker.terminate().then(done, done);
      });
      worker.postMessage('stop');
      setTimeout(() => void worker.terminate().then(done, done), 5000).unref();
    });
  }
}
