// InfluxDB 1.x (Debian 1.6: v1 /write and /query only) on free loopback ports.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defineService, ensureInstalled, firstExisting, freePort, makeTempDir, managed, spawnServer, waitUntil,
  type RunningService, type StartOptions,
} from './common.js';

const locate = (): Promise<string | undefined> => firstExisting(['/usr/bin/influxd', '/usr/local/bin/influxd']);

export async function startInfluxDB(opts: StartOptions = {}): Promise<RunningService> {
  const bin = await ensureInstalled('influxdb', locate);
  const port = opts.port ?? (await freePort());
  const rpcPort = await freePort();
  const dir = await makeTempDir('influxdb');
  const conf = join(dir, 'influxdb.conf');
  await writeFile(conf, [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]',
    `  dir = "${join(dir, 'meta')}"`,
    '[data]',
    `  dir = "${join(dir, 'data')}"`,
    `  wal-dir = "${join(dir, 'wal')}"`,
    '  query-log-enabled = false',
    '[http]',
    '  enabled = true',
    `  bind-address = "127.0.0.1:${port}"`,
    '  log-enabled = false',
    ...(opts.extraConfig ?? []).map((l) => `  ${l}`),
    '[monitor]',
    '  store-enabled = false',
    '[continuous_queries]',
    '  enabled = false',
    '',
  ].join('\n'));
  const logFile = join(dir, 'influxd.log');
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const proc = spawnServer(bin, ['run', '-config', conf], logFile);
    await waitUntil(`influxd on ${url}`, proc, async () => {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.status === 204;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    return proc;
  };
  return managed('influxdb', dir, { SLUICE_TEST_INFLUXDB_URL: url }, launch);
}

export const service = defineService('influxdb', startInfluxDB);
