// MariaDB (Debian 10.11) with a fresh datadir in a temp dir on a free loopback port, no config
// files read (--no-defaults). A user `sluice` with a password and every privilege is created on
// first start; the data dir keeps it across kill() and start().
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import {
  defineService, ensureInstalled, exists, freePort, makeTempDir, managed, spawnServer, tcpAccepts, waitUntil,
  type RunningService, type StartOptions,
} from './common.js';

export const MARIADB_USER = 'sluice';
export const MARIADB_PASSWORD = 'sluice-test-password';
export const MARIADB_DATABASE = 'sluice_test';

async function locate(): Promise<[string, string] | undefined> {
  for (const [server, install] of [['/usr/sbin/mariadbd', '/usr/bin/mariadb-install-db'], ['/usr/sbin/mysqld', '/usr/bin/mysql_install_db']] as const) {
    if ((await exists(server)) && (await exists(install))) return [server, install];
  }
  return undefined;
}

export async function startMariadb(opts: StartOptions = {}): Promise<RunningService> {
  const [server, install] = await ensureInstalled('mariadb', locate);
  const port = opts.port ?? (await freePort());
  const dir = await makeTempDir('mariadb');
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  const init = spawnSync(install, ['--no-defaults', ...asRoot, `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`mariadb: ${install} failed (${init.status}): ${init.stderr || init.stdout}`);
  const errLog = join(dir, 'error.log');
  const args = [
    '--no-defaults', ...asRoot, `--datadir=${data}`, `--socket=${join(dir, 'mysqld.sock')}`, `--port=${port}`, '--bind-address=127.0.0.1',
    `--pid-file=${join(dir, 'mysqld.pid')}`, `--log-error=${errLog}`, `--tmpdir=${dir}`, '--skip-name-resolve',
    '--innodb-buffer-pool-size=128M', '--innodb-log-file-size=64M', '--max-connections=200',
    // the log reaches the OS at each commit (a killed server loses nothing), fsync once a second
    '--innodb-flush-log-at-trx-commit=2',
  ];
  let userMade = false;
  const ready = async (): Promise<boolean> => {
    if (!(await tcpAccepts(port))) return false;
    if (!userMade) {
      // install-db leaves root@127.0.0.1 without a password: make the tests' user once
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      try {
        await c.query(`CREATE USER IF NOT EXISTS '${MARIADB_USER}'@'%' IDENTIFIED BY '${MARIADB_PASSWORD}'`);
        await c.query(`GRANT ALL PRIVILEGES ON *.* TO '${MARIADB_USER}'@'%'`);
        await c.query(`CREATE DATABASE IF NOT EXISTS ${MARIADB_DATABASE}`);
      } finally {
        await c.end();
      }
      userMade = true;
    }
    const c = await mysql.createConnection({ host: '127.0.0.1', port, user: MARIADB_USER, password: MARIADB_PASSWORD, database: MARIADB_DATABASE });
    await c.end();
    return true;
  };
  const logFile = join(dir, 'stdout.log');
  const launch = async () => {
    const proc = spawnServer(server, args, logFile);
    await waitUntil(`mariadb on 127.0.0.1:${port}`, proc, ready, { timeoutMs: 60_000, intervalMs: 100, logFiles: [errLog] });
    return proc;
  };
  return managed('mariadb', dir, {
    SLUICE_TEST_MYSQL_HOST: '127.0.0.1',
    SLUICE_TEST_MYSQL_PORT: String(port),
    SLUICE_TEST_MYSQL_USER: MARIADB_USER,
    SLUICE_TEST_MYSQL_PASSWORD: MARIADB_PASSWORD,
    SLUICE_TEST_MYSQL_DATABASE: MARIADB_DATABASE,
  }, launch);
}

export const service = defineService('mariadb', startMariadb);
