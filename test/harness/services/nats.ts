// NATS server with JetStream (Debian package `nats-server`) on a free loopback port, its store
// in a temp dir (kept across kill/start), user/password authentication on.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defineService, ensureInstalled, firstExisting, freePort, makeTempDir, managed, spawnServer, tcpAccepts, waitUntil,
  type RunningService, type StartOptions,
} from './common.js';

export const NATS_USER = 'sluice';
export const NATS_PASSWORD = 'nats-pw-1';

const locate = (): Promise<string | undefined> => firstExisting(['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']);

export async function startNats(opts: StartOptions = {}): Promise<RunningService> {
  const bin = await ensureInstalled('nats', locate);
  const port = opts.port ?? (await freePort());
  const dir = await makeTempDir('nats');
  const conf = join(dir, 'nats.conf');
  const lines = [
    `host: 127.0.0.1`,
    `port: ${port}`,
    `jetstream { store_dir: ${JSON.stringify(join(dir, 'js'))} }`,
    `authorization { user: ${NATS_USER}, password: ${JSON.stringify(NATS_PASSWORD)} }`,
    ...(opts.extraConfig ?? []),
  ];
  await writeFile(conf, `${lines.join('\n')}\n`);
  const logFile = join(dir, 'nats.log');
  const launch = async () => {
    const proc = spawnServer(bin, ['-c', conf], logFile);
    await waitUntil(`nats-server on 127.0.0.1:${port}`, proc, () => tcpAccepts(port), { timeoutMs: 20_000, intervalMs: 50 });
    return proc;
  };
  return managed('nats', dir, {
    SLUICE_TEST_NATS_URL: `nats://127.0.0.1:${port}`,
    SLUICE_TEST_NATS_USER: NATS_USER,
    SLUICE_TEST_NATS_PASSWORD: NATS_PASSWORD,
  }, launch);
}

export const service = defineService('nats', startNats);
