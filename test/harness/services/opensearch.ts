// OpenSearch 2.19, one node (the jars and EmbeddedNode from scripts/services/install.sh, see
// opensearch/EmbeddedNode.java): netty4 HTTP and transport on free loopback ports, data in a temp
// dir, a bounded heap, the disk watermarks off (a nearly full test disk must not turn indices
// read-only). It has no security plugin: an authenticating proxy (opensearch/auth-proxy.ts) in
// front takes Basic and ApiKey credentials; SLUICE_TEST_OPENSEARCH_URL is the proxy,
// SLUICE_TEST_OPENSEARCH_DIRECT_URL the node. kill() ends the node only, so the proxy then answers 502.
import { join } from 'node:path';
import {
  CACHE_DIR, defineService, ensureInstalled, exists, freePort, makeTempDir, spawnServer, waitUntil, which,
  managed, type RunningService, type StartOptions,
} from './common.js';
import { startAuthProxy } from './opensearch/auth-proxy.js';

export const OPENSEARCH_VERSION = process.env.SLUICE_OPENSEARCH_VERSION ?? '2.19.6';

const USER = { username: 'sluice', password: 'sluice-opensearch-pw' };
const API_KEY = 'c2x1aWNlLWtleTpzbHVpY2UtdGVzdC1hcGkta2V5';

// bounded heap; benchmarks can override with SLUICE_OPENSEARCH_JVM_OPTS (space separated)
const TUNING = process.env.SLUICE_OPENSEARCH_JVM_OPTS?.split(/\s+/).filter(Boolean) ?? ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError'];

async function locate(): Promise<{ libs: string; classes: string } | undefined> {
  const home = join(CACHE_DIR, `opensearch-${OPENSEARCH_VERSION}`);
  const found = (await exists(join(home, 'libs.complete'))) && (await exists(join(home, 'classes', 'EmbeddedNode.class')));
  return found ? { libs: join(home, 'libs'), classes: join(home, 'classes') } : undefined;
}

function javaBin(): string {
  const home = process.env.JAVA_HOME;
  const bin = home ? join(home, 'bin/java') : which('java');
  if (!bin) throw new Error('opensearch: no java on PATH (and JAVA_HOME unset); JDK 17 is required');
  return bin;
}

async function healthy(url: string): Promise<boolean> {
  // yellow: every primary is allocated (a one-node cluster never places replicas)
  const res = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, { signal: AbortSignal.timeout(3000) });
  await res.text();
  return res.status === 200;
}

export async function startOpensearch(opts: StartOptions = {}): Promise<RunningService> {
  const { libs, classes } = await ensureInstalled('opensearch', locate);
  const java = javaBin();
  const port = opts.port ?? (await freePort());
  const transportPort = await freePort();
  const dir = await makeTempDir('opensearch');
  const direct = `http://127.0.0.1:${port}`;
  const args = [
    ...TUNING, '-Djava.awt.headless=true', `-Djava.io.tmpdir=${dir}`, '-Dlog4j2.formatMsgNoLookups=true',
    '-cp', `${classes}:${libs}/*`, 'EmbeddedNode',
    'node.name=sluice-test', 'cluster.name=sluice-test', 'discovery.type=single-node',
    'network.host=127.0.0.1', `http.port=${port}`, `transport.port=${transportPort}`,
    `path.home=${join(dir, 'home')}`, `path.data=${join(dir, 'data')}`, `path.logs=${join(dir, 'logs')}`,
    'cluster.routing.allocation.disk.threshold_enabled=false',
    ...(opts.extraConfig ?? []),
  ];
  const logFile = join(dir, 'opensearch.log');
  const launch = async () => {
    const proc = spawnServer(java, args, logFile);
    await waitUntil(`opensearch on ${direct}`, proc, () => healthy(direct), { timeoutMs: 120_000, intervalMs: 250 });
    return proc;
  };
  const node = await managed('opensearch', dir, {}, launch, 20_000);
  const proxy = await startAuthProxy({ upstreamPort: port, ...USER, apiKey: API_KEY }).catch(async (e: unknown) => {
    await node.stop();
    throw e;
  });
  return {
    ...node,
    env: {
      SLUICE_TEST_OPENSEARCH_URL: `http://127.0.0.1:${proxy.port}`,
      SLUICE_TEST_OPENSEARCH_DIRECT_URL: direct,
      SLUICE_TEST_OPENSEARCH_USER: USER.username,
      SLUICE_TEST_OPENSEARCH_PASSWORD: USER.password,
      SLUICE_TEST_OPENSEARCH_API_KEY: API_KEY,
    },
    async stop() {
      await proxy.close();
      await node.stop();
    },
  };
}

export const service = defineService('opensearch', startOpensearch);
