// FerretDB (MongoDB wire protocol, built from its Go module by scripts/services/install.sh) on a
// free loopback port with its SQLite backend in a temp dir (kept across kill/start), SCRAM
// authentication on and one user created at first start. `shape: 'replicaset'` makes it answer
// as the only member of replica set `rs0`.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import {
  CACHE_DIR, defineService, ensureInstalled, exists, freePort, makeTempDir, managed, spawnServer, waitUntil,
  type RunningService, type StartOptions,
} from './common.js';

export const FERRETDB_VERSION = process.env.SLUICE_FERRETDB_VERSION ?? 'v1.24.2';
export const FERRETDB_USER = 'sluice';
export const FERRETDB_PASSWORD = 'ferret-pw-1';
export const FERRETDB_REPLICA_SET = 'rs0';

async function locate(): Promise<string | undefined> {
  const bin = join(CACHE_DIR, `ferretdb-${FERRETDB_VERSION}`, 'bin', 'ferretdb');
  return (await exists(bin)) ? bin : undefined;
}

/** true once the server authenticates the user and answers a ping */
async function answers(url: string): Promise<boolean> {
  const client = new MongoClient(url, { directConnection: true, serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function startFerretdb(opts: StartOptions = {}): Promise<RunningService> {
  const bin = await ensureInstalled('ferretdb', locate);
  const port = opts.port ?? (await freePort());
  const debugPort = await freePort();
  const dir = await makeTempDir('ferretdb');
  const args = [
    '--handler=sqlite', `--sqlite-url=file:${join(dir, 'data')}/`, `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`, `--debug-addr=127.0.0.1:${debugPort}`, '--telemetry=disable', '--log-level=warn',
    '--test-enable-new-auth', `--setup-username=${FERRETDB_USER}`, `--setup-password=${FERRETDB_PASSWORD}`, '--setup-database=admin',
    ...(opts.shape === 'replicaset' ? [`--repl-set-name=${FERRETDB_REPLICA_SET}`] : []),
    ...(opts.extraConfig ?? []),
  ];
  const url = `mongodb://${FERRETDB_USER}:${FERRETDB_PASSWORD}@127.0.0.1:${port}/?authSource=admin`;
  const logFile = join(dir, 'ferretdb.log');
  const launch = async () => {
    await mkdir(join(dir, 'data'), { recursive: true });
    const proc = spawnServer(bin, args, logFile);
    await waitUntil(`ferretdb on 127.0.0.1:${port}`, proc, () => answers(url), { timeoutMs: 40_000, intervalMs: 100 });
    return proc;
  };
  return managed('ferretdb', dir, {
    SLUICE_TEST_FERRETDB_URL: url,
    SLUICE_TEST_FERRETDB_HOST: '127.0.0.1',
    SLUICE_TEST_FERRETDB_PORT: String(port),
    SLUICE_TEST_FERRETDB_USER: FERRETDB_USER,
    SLUICE_TEST_FERRETDB_PASSWORD: FERRETDB_PASSWORD,
  }, launch);
}

export const service = defineService('ferretdb', startFerretdb);
