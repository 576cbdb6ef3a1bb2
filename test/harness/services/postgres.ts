// PostgreSQL 15 (Debian) with a fresh cluster in a temp dir on a free loopback port. The server
// refuses to run as root: as root, initdb and postgres run as the `postgres` user (setpriv execs,
// so a SIGKILL reaches the server itself), the temp dir handed to that user.
import { chown, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  defineService, ensureInstalled, firstExisting, freePort, makeTempDir, managed, spawnServer, tcpAccepts, waitUntil,
  type RunningService, type StartOptions,
} from './common.js';

export const POSTGRES_USER = 'postgres';
export const POSTGRES_PASSWORD = 'sluice-test-password';

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];
const locate = (): Promise<string | undefined> => firstExisting(BIN_DIRS.map((d) => join(d, 'postgres'))).then((p) => (p ? join(p, '..') : undefined));

/** [uid, gid] of the postgres user when we are root, else undefined (the server runs as us). */
function serverUser(): [number, number] | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) throw new Error('postgres: running as root needs the postgres user (the Debian package creates it)');
  return [Number(r.stdout.trim()), Number(g.stdout.trim())];
}

function asServerUser(user: [number, number] | undefined, cmd: string, args: string[]): [string, string[]] {
  return user === undefined ? [cmd, args] : ['setpriv', [`--reuid=${user[0]}`, `--regid=${user[1]}`, '--init-groups', cmd, ...args]];
}

export async function startPostgres(opts: StartOptions = {}): Promise<RunningService> {
  const bin = await ensureInstalled('postgres', locate);
  const port = opts.port ?? (await freePort());
  const dir = await makeTempDir('postgres');
  const user = serverUser();
  if (user) await chown(dir, user[0], user[1]);
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  await writeFile(pwfile, `${POSTGRES_PASSWORD}\n`);
  if (user) await chown(pwfile, user[0], user[1]);
  const [initCmd, initArgs] = asServerUser(user, join(bin, 'initdb'), ['-D', data, '-U', POSTGRES_USER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C.UTF-8', '-N']);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`postgres: initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  const logFile = join(dir, 'postgres.log');
  const [cmd, args] = asServerUser(user, join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`,
    // fsync off: a killed server loses nothing (the OS keeps its writes), only a machine crash
    // would; synchronous_commit stays on, or a killed server loses its last commits
    '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100',
  ]);
  const launch = async () => {
    const proc = spawnServer(cmd, args, logFile);
    await waitUntil(`postgres on 127.0.0.1:${port}`, proc, async () => (await tcpAccepts(port)) && readyLogged(logFile), { timeoutMs: 60_000, intervalMs: 100 });
    return proc;
  };
  return managed('postgres', dir, {
    SLUICE_TEST_POSTGRES_HOST: '127.0.0.1',
    SLUICE_TEST_POSTGRES_PORT: String(port),
    SLUICE_TEST_POSTGRES_USER: POSTGRES_USER,
    SLUICE_TEST_POSTGRES_PASSWORD: POSTGRES_PASSWORD,
  }, launch);
}

/** After a crash the server accepts TCP while it replays its WAL: ready once it says so. */
async function readyLogged(logFile: string): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const last = text.lastIndexOf('database system is ready to accept connections');
  return last >= 0 && last > text.lastIndexOf('starting PostgreSQL');
}

export const service = defineService('postgres', startPostgres);
