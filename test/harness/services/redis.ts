// Redis 7 (Debian's redis-server and redis-sentinel) on free loopback ports, data in a temp dir
// (append-only file, so a killed server starts again with what it had acknowledged). Three shapes,
// chosen by `shape`: `single` (default), `cluster` (three masters joined with
// `redis-cli --cluster create`, no replicas), `sentinel` (one master and one sentinel watching it
// as `mymaster`). `extraConfig` lines go into every server's config (e.g. `requirepass …`).
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  defineService, ensureInstalled, exists, freePort, makeTempDir, removeTempDir, spawnServer, waitUntil,
  type RunningService, type ServerProcess, type StartOptions,
} from './common.js';

const run = promisify(execFile);

export const SENTINEL_MASTER = 'mymaster';

interface Bins {
  server: string;
  sentinel: string;
  cli: string;
}

async function locate(): Promise<Bins | undefined> {
  const bins = { server: '/usr/bin/redis-server', sentinel: '/usr/bin/redis-sentinel', cli: '/usr/bin/redis-cli' };
  for (const b of Object.values(bins)) if (!(await exists(b))) return undefined;
  return bins;
}

/** redis-cli's answer to one command on 127.0.0.1:port ('' when it cannot connect). */
export async function redisCli(cli: string, port: number, args: readonly string[], password?: string): Promise<string> {
  const auth = password ? ['-a', password, '--no-auth-warning'] : [];
  try {
    const { stdout } = await run(cli, ['-h', '127.0.0.1', '-p', String(port), ...auth, ...args], { timeout: 5000 });
    return stdout.trim();
  } catch {
    return '';
  }
}

interface Node {
  port: number;
  dir: string;
  conf: string;
}

async function writeNode(dir: string, name: string, port: number, lines: readonly string[]): Promise<Node> {
  const nodeDir = join(dir, name);
  await mkdir(nodeDir, { recursive: true });
  const conf = join(nodeDir, 'redis.conf');
  await writeFile(conf, `${[
    `port ${port}`, 'bind 127.0.0.1', `dir ${nodeDir}`, 'daemonize no', 'logfile ""', 'save ""',
    'appendonly yes', 'appendfsync everysec', 'protected-mode no', ...lines,
  ].join('\n')}\n`);
  return { port, dir: nodeDir, conf };
}

function passwordOf(extra: readonly string[]): string | undefined {
  for (const l of extra) {
    const m = /^\s*requirepass\s+(\S+)\s*$/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

async function launchServer(bins: Bins, node: Node, password: string | undefined): Promise<ServerProcess> {
  const proc = spawnServer(bins.server, [node.conf], join(node.dir, 'redis.log'));
  await waitUntil(`redis-server on 127.0.0.1:${node.port}`, proc, async () => /^(PONG|NOAUTH)/.test(await redisCli(bins.cli, node.port, ['PING'], password)), { timeoutMs: 30_000, intervalMs: 100 });
  return proc;
}

/** A RunningService over several processes that start, die and come back together. */
async function group(name: string, dir: string, env: Record<string, string>, launch: () => Promise<ServerProcess[]>): Promise<RunningService> {
  let procs: ServerProcess[];
  try {
    procs = await launch();
  } catch (e) {
    await removeTempDir(dir);
    throw e;
  }
  const stopAll = async (): Promise<void> => { for (const p of procs) await p.stop(10_000); };
  return {
    name,
    env,
    async stop() {
      await stopAll();
      await removeTempDir(dir);
    },
    async restart() {
      await stopAll();
      procs = await launch();
    },
    async kill() {
      for (const p of procs) await p.kill();
    },
    async start() {
      if (procs.every((p) => p.isRunning())) return;
      for (const p of procs) await p.kill();
      procs = await launch();
    },
  };
}

export async function startRedis(opts: StartOptions = {}): Promise<RunningService> {
  const bins = await ensureInstalled('redis', locate);
  const shape = opts.shape ?? 'single';
  const extra = opts.extraConfig ?? [];
  const password = passwordOf(extra);
  const dir = await makeTempDir('redis');
  const common = { SLUICE_TEST_REDIS_CLI: bins.cli, ...(password ? { SLUICE_TEST_REDIS_PASSWORD: password } : {}) };

  if (shape === 'single') {
    const node = await writeNode(dir, 'node', opts.port ?? (await freePort()), extra);
    return group('redis', dir, { ...common, SLUICE_TEST_REDIS_SERVER: `127.0.0.1:${node.port}`, SLUICE_TEST_REDIS_PORTS: String(node.port) }, async () => [await launchServer(bins, node, password)]);
  }

  if (shape === 'cluster') {
    const nodes: Node[] = [];
    for (let i = 0; i < 3; i++) {
      const port = i === 0 && opts.port ? opts.port : await freePort();
      nodes.push(await writeNode(dir, `node${i}`, port, [
        'cluster-enabled yes', 'cluster-config-file nodes.conf', `cluster-port ${await freePort()}`, 'cluster-node-timeout 5000',
        ...(password ? [`masterauth ${password}`] : []), ...extra,
      ]));
    }
    let created = false;
    const launch = async (): Promise<ServerProcess[]> => {
      const procs: ServerProcess[] = [];
      for (const n of nodes) procs.push(await launchServer(bins, n, password));
      if (!created) {
        const auth = password ? ['-a', password, '--no-auth-warning'] : [];
        await run(bins.cli, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes', ...auth], { timeout: 60_000 });
        created = true;
      }
      const [first] = procs as [ServerProcess];
      for (const n of nodes) {
        await waitUntil(`redis cluster state ok on 127.0.0.1:${n.port}`, first, async () => (await redisCli(bins.cli, n.port, ['CLUSTER', 'INFO'], password)).includes('cluster_state:ok'), { timeoutMs: 60_000, intervalMs: 200 });
      }
      return procs;
    };
    return group('redis', dir, { ...common, SLUICE_TEST_REDIS_SERVER: nodes.map((n) => `127.0.0.1:${n.port}`).join(','), SLUICE_TEST_REDIS_PORTS: nodes.map((n) => n.port).join(',') }, launch);
  }

  if (shape === 'sentinel') {
    const master = await writeNode(dir, 'master', opts.port ?? (await freePort()), [...(password ? [`masterauth ${password}`] : []), ...extra]);
    const sentinelPort = await freePort();
    const sentinelDir = join(dir, 'sentinel');
    await mkdir(sentinelDir, { recursive: true });
    const sentinelConf = join(sentinelDir, 'sentinel.conf');
    await writeFile(sentinelConf, `${[
      `port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${sentinelDir}`, 'daemonize no', 'logfile ""', 'protected-mode no',
      `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER} 5000`,
      ...(password ? [`sentinel auth-pass ${SENTINEL_MASTER} ${password}`] : []),
    ].join('\n')}\n`);
    const launch = async (): Promise<ServerProcess[]> => {
      const server = await launchServer(bins, master, password);
      const sentinel = spawnServer(bins.sentinel, [sentinelConf], join(sentinelDir, 'sentinel.log'));
      await waitUntil(`redis-sentinel on 127.0.0.1:${sentinelPort}`, sentinel, async () =>
        (await redisCli(bins.cli, sentinelPort, ['SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER])).endsWith(String(master.port)), { timeoutMs: 30_000, intervalMs: 100 });
      return [server, sentinel];
    };
    return group('redis', dir, {
      ...common, SLUICE_TEST_REDIS_SERVER: `127.0.0.1:${sentinelPort}`, SLUICE_TEST_REDIS_PORTS: String(master.port), SLUICE_TEST_REDIS_MASTER_NAME: SENTINEL_MASTER,
    }, launch);
  }
  await removeTempDir(dir);
  throw new Error(`redis: unknown shape ${shape} (single, cluster or sentinel)`);
}

export const service = defineService('redis', startRedis);
