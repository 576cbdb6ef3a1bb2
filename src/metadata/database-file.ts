// Opening the two SQLite files safely: an integrity check before anything reads them (a damaged
// journal would otherwise yield partial counters and records silently), and start-up errors
// that name the file, the setting and the likely cause instead of SQLite's bare message.
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export type IntegrityMode = 'quick' | 'full' | 'off';
export type DbSetting = 'SLUICE_DB' | 'SLUICE_JOURNAL_DB';

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export interface IntegrityReport {
  path: string;
  ok: boolean;
  /** SQLite's findings (at most 100), empty when ok */
  problems: string[];
}

/** Runs `PRAGMA quick_check` or `integrity_check` on its own read-only connection. */
export function checkIntegrity(path: string, mode: 'quick' | 'full'): IntegrityReport {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma(mode === 'full' ? 'integrity_check(100)' : 'quick_check(100)') as Record<string, string>[];
    const problems = rows.map((r) => String(Object.values(r)[0])).filter((m) => m !== 'ok');
    return { path, ok: problems.length === 0, problems };
  } catch (e) {
    return { path, ok: false, problems: [`${(e as Error).message}${codeOf(e) ? ` (${codeOf(e)})` : ''}`] };
  } finally {
    db?.close();
  }
}

function codeOf(e: unknown): string {
  return String((e as { code?: unknown }).code ?? '');
}

const RECOVER = (path: string, setting: DbSetting) =>
  `Stop here and keep the file as it is. Run \`sluice journal check\` for the full report, then ` +
  `\`sluice journal salvage --out <new dir>\` to copy every readable record and definition into fresh databases, ` +
  `and point ${setting} at the salvaged file (or restore ${path} from a backup).`;

/**
 * Refuses a damaged database before Sluice uses it. A file that does not exist yet is fine
 * (it is created); `off` skips the check (SLUICE_INTEGRITY_CHECK=off, for very large journals).
 */
export function refuseDamaged(path: string, setting: DbSetting, mode: IntegrityMode): void {
  if (mode === 'off' || path === ':memory:' || !existsSync(path)) return;
  if (statSync(path).size === 0) return;
  const report = checkIntegrity(path, mode);
  if (report.ok) return;
  const first = report.problems.slice(0, 5).join('; ');
  const notDb = report.problems.some((p) => /not a database|SQLITE_NOTADB/.test(p));
  const what = notDb ? 'is not an SQLite database (wrong path, or the file was overwritten)' : `is damaged (${mode === 'full' ? 'integrity_check' : 'quick_check'}: ${first})`;
  throw new StartupError(`${setting}=${path} ${what}. ${notDb ? `Check ${setting}; if it is the right file, restore it from a backup.` : RECOVER(path, setting)}`);
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why opening `path` failed, in words an operator can act on. */
function likelyCause(e: unknown, path: string, setting: DbSetting): string {
  const code = codeOf(e);
  const dir = dirname(path);
  if (code === 'EROFS' || code === 'SQLITE_READONLY' || /read-only|readonly/i.test((e as Error).message)) return `the file system is read-only: ${setting} must be on a writable volume`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN') {
    if (!existsSync(dir)) return `the directory ${dir} does not exist and cannot be created`;
    if (!writable(dir)) return `the directory ${dir} is not writable by this user (uid ${process.getuid?.() ?? '?'}) or is on a read-only mount`;
    if (existsSync(path) && !writable(path)) return `the file is not writable by this user (uid ${process.getuid?.() ?? '?'})`;
    return 'the path cannot be opened (a directory in the way, or too many open files)';
  }
  if (code === 'SQLITE_NOTADB') return 'the file is not an SQLite database (wrong path, or the file was overwritten)';
  if (code.startsWith('SQLITE_CORRUPT')) return `the file is damaged; run \`sluice journal check\` and \`sluice journal salvage\``;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'another process holds a lock on the file (another Sluice, or a tool that has it open)';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'the disk is full';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return 'the disk reported an I/O error';
  return 'see the message';
}

/** Runs `open`; a failure becomes a StartupError naming the path, the setting and the likely cause. */
export function openExplained<T>(path: string, setting: DbSetting, open: () => T): T {
  try {
    return open();
  } catch (e) {
    if (e instanceof StartupError || (e as Error).name === 'DataLockedError') throw e;
    const code = codeOf(e);
    throw new StartupError(`cannot open ${setting}=${path}: ${(e as Error).message}${code ? ` (${code})` : ''} — likely cause: ${likelyCause(e, path, setting)}`);
  }
}
