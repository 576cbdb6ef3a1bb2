// One Sluice per data file. Two processes on one SLUICE_DB take the same MQTT sessions from
// each other and append the same offsets (measured: 4,162 deliveries for 2,000 messages,
// pending -2052). A lock file beside each database, created exclusively and holding the pid and
// host of its owner, is kept for the life of the process; a lock left by a dead process on this
// host is taken over, one held on another host (a shared volume) is never guessed about.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockOwner {
  pid: number;
  host: string;
  started_at: string;
}

export class DataLockedError extends Error {
  override readonly name = 'DataLockedError';
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner | undefined,
    setting: string,
    dbPath: string,
  ) {
    const who = owner ? `pid ${owner.pid} on host ${owner.host} (since ${owner.started_at})` : 'another process (the lock file cannot be read)';
    super(
      `${setting}=${dbPath} is in use by ${who}: only one Sluice may use a data directory. ` +
        `Stop that instance, or give this one its own ${setting}. If that process is gone for certain, remove ${lockFile}.`,
    );
  }
}

export interface DataLock {
  readonly file: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? { pid: o.pid, host: o.host, started_at: String(o.started_at ?? '?') } : undefined;
  } catch {
    return undefined;
  }
}

/** The lock file of a database path: `<path>.lock`. */
export function lockFileOf(dbPath: string): string {
  return `${dbPath}.lock`;
}

/** The owner named in the lock of `dbPath`, when a live process (or one on another host) holds it. */
export function lockHolder(dbPath: string): LockOwner | undefined {
  const owner = readOwner(lockFileOf(dbPath));
  if (!owner) return undefined;
  if (owner.host === hostname() && !alive(owner.pid)) return undefined;
  return owner;
}

/** Takes the lock of `dbPath` or throws DataLockedError naming the holder. */
export function acquireDataLock(dbPath: string, setting: string): DataLock {
  const file = lockFileOf(dbPath);
  const me: LockOwner = { pid: process.pid, host: hostname(), started_at: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readOwner(file);
      const stale = owner !== undefined && owner.host === me.host && owner.pid !== me.pid && !alive(owner.pid);
      if (!stale) throw new DataLockedError(file, owner, setting, dbPath);
      try {
        unlinkSync(file); // left by a process that is gone; whoever creates it next wins
      } catch {
        /* someone else took it over first */
      }
      continue;
    }
    writeSync(fd, JSON.stringify(me) + '\n');
    closeSync(fd);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      process.off('exit', release);
      if (readOwner(file)?.pid === me.pid) unlinkSync(file);
    };
    process.on('exit', release);
    return { file, release };
  }
  throw new DataLockedError(file, readOwner(file), setting, dbPath);
}
