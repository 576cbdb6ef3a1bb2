// Whether a database can take writes right now. A full disk or an I/O error does not make a
// SELECT fail, so "does it answer" is not enough for /ready: the last failed write is kept
// until a write succeeds again, and a tiny probe write (the header's user_version, rewritten
// unchanged) finds out when space has returned even if nothing else writes.
import type Database from 'better-sqlite3';

export interface WriteProblem {
  message: string;
  code: string;
  at: number;
}

/** SQLite and file-system codes that mean "the storage cannot take writes", not a bug. */
export function isStorageFailure(e: unknown): boolean {
  const code = String((e as { code?: unknown }).code ?? '');
  return /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|BUSY|LOCKED|NOTADB)/.test(code) || code === 'ENOSPC' || code === 'EIO' || code === 'EROFS';
}

/** What the failure means for an operator. */
export function describeStorageFailure(e: unknown): string {
  const code = String((e as { code?: unknown }).code ?? '');
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `disk full (${code})`;
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return `I/O error (${code})`;
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return `read-only (${code})`;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return `damaged (${code}); run \`sluice journal check\``;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return `locked (${code})`;
  return `${(e as Error).message}${code ? ` (${code})` : ''}`;
}

export class WriteHealth {
  private failure?: WriteProblem;

  constructor(
    /** e.g. `journal /data/journal.db` */
    readonly what: string,
  ) {}

  noteFailure(e: unknown): void {
    this.failure = { message: describeStorageFailure(e), code: String((e as { code?: unknown }).code ?? ''), at: Date.now() };
  }

  noteSuccess(): void {
    this.failure = undefined;
  }

  get failing(): boolean {
    return this.failure !== undefined;
  }

  /** `journal /data/journal.db cannot take writes: disk full (SQLITE_FULL)`, or undefined. */
  problem(): string | undefined {
    return this.failure ? `${this.what} cannot take writes: ${this.failure.message}` : undefined;
  }

  /** While failing, tries one small write; success clears the failure. Never throws. */
  probe(db: Database.Database): void {
    if (!this.failure || !db.open || db.inTransaction) return;
    try {
      const v = db.pragma('user_version', { simple: true }) as number;
      db.pragma(`user_version = ${v}`);
      this.noteSuccess();
    } catch (e) {
      this.noteFailure(e);
    }
  }
}
