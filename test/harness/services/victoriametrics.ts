// VictoriaMetrics single node (Debian package) with an OpenTSDB HTTP listener.
import { join } from 'node:path';
import {
  defineService, ensureInstalled, firstExisting, freePort, httpOk, makeTempDir, managed, spawnServer, waitUntil,
  type RunningService, type StartOptions,
} from './common.js';

const locate = (): Promise<string | undefined> =>
  firstExisting(['/usr/bin/victoria-metrics', '/usr/sbin/victoria-metrics', '/usr/local/bin/victoria-metrics']);

export async function startVictoriaMetrics(opts: StartOptions = {}): Promise<RunningService> {
  const bin = await ensureInstalled('victoriametrics', locate);
  const port = opts.port ?? (await freePort());
  const opentsdbPort = await freePort();
  const dir = await makeTempDir('victoriametrics');
  const args = [
    `-storageDataPath=${join(dir, 'data')}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    `-opentsdbHTTPListenAddr=127.0.0.1:${opentsdbPort}`,
    '-retentionPeriod=100y', // tests may write old timestamps
    '-search.latencyOffset=0s', // read back what was just written (after /internal/force_flush)
    '-search.disableCache',
    '-selfScrapeInterval=0',
    '-loggerLevel=WARN',
  ];
  const logFile = join(dir, 'victoria-metrics.log');
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const proc = spawnServer(bin, args, logFile);
    await waitUntil(`victoria-metrics on ${url}`, proc, () => httpOk(`${url}/health`), { timeoutMs: 30_000, intervalMs: 100 });
    return proc;
  };
  return managed('victoriametrics', dir, {
    SLUICE_TEST_VM_URL: url,
    SLUICE_TEST_VM_OPENTSDB_URL: `http://127.0.0.1:${opentsdbPort}`,
  }, launch);
}

export const service = defineService('victoriametrics', startVictoriaMetrics);
