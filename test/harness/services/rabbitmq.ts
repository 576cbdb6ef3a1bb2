// RabbitMQ 3.10 (Debian's rabbitmq-server) run directly, not as a system service: node name,
// data (mnesia), logs, the Erlang cookie ($HOME), the AMQP port, the distribution port and the
// epmd port are all this instance's own, so tests never collide. The harness starts epmd itself
// (`epmd -port …` in the foreground) before the broker, so the broker finds it instead of
// spawning a daemon, and stops it by its own pid. The management plugin is off. `extraConfig`
// lines go into rabbitmq.conf.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defineService, ensureInstalled, exists, freePort, makeTempDir, removeTempDir, spawnServer, tcpAccepts, waitUntil,
  type RunningService, type ServerProcess, type StartOptions,
} from './common.js';

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

async function locate(): Promise<{ server: string; epmd: string } | undefined> {
  if (!(await exists(SERVER))) return undefined;
  for (const epmd of ['/usr/bin/epmd', '/usr/lib/erlang/bin/epmd']) if (await exists(epmd)) return { server: SERVER, epmd };
  return undefined;
}

/** The AMQP 0-9-1 greeting answered: a broker that accepts connections (not only TCP). */
async function amqpReady(port: number): Promise<boolean> {
  const { connect } = await import('amqplib');
  const c = await connect({ hostname: '127.0.0.1', port, username: 'guest', password: 'guest' }, { timeout: 2000 });
  await c.close();
  return true;
}

export async function startRabbitmq(opts: StartOptions = {}): Promise<RunningService> {
  const bins = await ensureInstalled('rabbitmq', locate);
  const port = opts.port ?? (await freePort());
  const distPort = await freePort();
  const epmdPort = await freePort();
  const dir = await makeTempDir('rabbitmq');
  const node = `sluice-${randomBytes(4).toString('hex')}@localhost`;
  for (const d of ['mnesia', 'log', 'home']) await mkdir(join(dir, d), { recursive: true });
  await writeFile(join(dir, 'enabled_plugins'), '[].\n');
  await writeFile(join(dir, 'rabbitmq.conf'), `${['log.console = true', 'log.console.level = warning', 'log.file = false', ...(opts.extraConfig ?? [])].join('\n')}\n`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: join(dir, 'home'),
    RUNNING_UNDER_SYSTEMD: '1', // the script execs the Erlang VM: our child is the broker itself
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
  };
  let procs: ServerProcess[] = [];
  const launch = async (): Promise<ServerProcess[]> => {
    const epmd = spawnServer(bins.epmd, ['-port', String(epmdPort), '-address', '127.0.0.1'], join(dir, 'epmd.log'), env);
    await waitUntil(`epmd on 127.0.0.1:${epmdPort}`, epmd, () => tcpAccepts(epmdPort), { timeoutMs: 10_000, intervalMs: 50 });
    const broker = spawnServer(bins.server, [], join(dir, 'rabbitmq.log'), env);
    await waitUntil(`rabbitmq on 127.0.0.1:${port}`, broker, () => amqpReady(port), { timeoutMs: 90_000, intervalMs: 250 });
    return [broker, epmd];
  };
  try {
    procs = await launch();
  } catch (e) {
    for (const p of procs) await p.kill();
    await removeTempDir(dir);
    throw e;
  }
  const stopAll = async (): Promise<void> => { for (const p of procs) await p.stop(20_000); };
  return {
    name: 'rabbitmq',
    env: { SLUICE_TEST_RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}`, SLUICE_TEST_RABBITMQ_PORT: String(port) },
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

export const service = defineService('rabbitmq', startRabbitmq);
