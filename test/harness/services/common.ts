// Shared plumbing for the real-server test harness: free ports, temp dirs,
// on-demand installs, child processes tied to our lifetime, readiness waits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** a server of the harness: the name of its file in test/harness/services and of its install_<name> in install.sh */
export type ServiceName = string;
/** command-line tools the tests need besides the servers */
export type Tool = 'openssl' | 'chromium' | 'schemathesis';

export interface RunningService {
  name: ServiceName;
  /** What tests read, e.g. SLUICE_TEST_MQTT_URL. */
  env: Record<string, string>;
  stop(): Promise<void>;
  /** Stops and starts again on the same ports with the same data dir. */
  restart?(): Promise<void>;
  /** Ends the server at once (SIGKILL, as a crash would), keeping its ports and data dir for start(). */
  kill(): Promise<void>;
  /** Starts a killed server again on the same ports with the same data dir; nothing when it runs. */
  start(): Promise<void>;
}

/** What a file in test/harness/services exports as `service`; test/harness/services.ts lists them. */
export interface ServiceDefinition<N extends string = string> {
  name: N;
  start(opts?: StartOptions): Promise<RunningService>;
}

export function defineService<N extends string>(name: N, start: (opts?: StartOptions) => Promise<RunningService>): ServiceDefinition<N> {
  return { name, start };
}

export interface StartOptions {
  /** The service's main port (MQTT / Kafka PLAINTEXT / HTTP); free port if unset. */
  port?: number;
  /** extra config lines: appended to Mosquitto's config file; InfluxDB: lines of its [http] section (e.g. `auth-enabled = true`) */
  extraConfig?: string[];
  /** the shape of a service that has several (redis: `single`, `cluster` or `sentinel`) */
  shape?: string;
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const INSTALL_SCRIPT = join(REPO_ROOT, 'scripts/services/install.sh');
export const CACHE_DIR = process.env.SLUICE_CACHE ?? join(homedir(), '.cache/sluice');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const handedOut = new Set<number>();

/** A TCP port that was free on 127.0.0.1 a moment ago (never the same one twice per process). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await ephemeralPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: no new free port found');
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolvePort(port) : reject(new Error('no port assigned'))));
    });
  });
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

export async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if (await exists(p)) return p;
  return undefined;
}

/**
 * Returns what `locate` finds; if nothing, runs scripts/services/install.sh <name>
 * (apt / Maven, as on a fresh CI machine) and looks again.
 */
export async function ensureInstalled<T>(name: ServiceName | Tool, locate: () => Promise<T | undefined>): Promise<T> {
  const found = await locate();
  if (found !== undefined) return found;
  process.stderr.write(`[sluice-test] ${name} is not installed: installing it with ${INSTALL_SCRIPT} ${name}\n`);
  const started = Date.now();
  await new Promise<void>((ok, fail) => {
    const child = spawn('bash', [INSTALL_SCRIPT, name], { stdio: ['ignore', 2, 2] });
    child.once('error', fail);
    child.once('exit', (code, signal) =>
      code === 0 ? ok() : fail(new Error(`${INSTALL_SCRIPT} ${name} failed (code ${code}, signal ${signal})`)),
    );
  });
  process.stderr.write(`[sluice-test] ${name} installed in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  const again = await locate();
  if (again === undefined) throw new Error(`${name}: still not found after ${INSTALL_SCRIPT} ${name}`);
  return again;
}

// ---- temp dirs and processes that never outlive us -------------------------

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHooked = false;

function cleanupSync(): void {
  for (const c of liveChildren) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanupSync();
      process.kill(process.pid, sig); // default action now that our handler is gone
    });
  }
}

/** A fresh dir under os.tmpdir() named sluice-<name>-*, removed on stop and on exit. */
export async function makeTempDir(name: ServiceName): Promise<string> {
  hookExit();
  const dir = await mkdtemp(join(tmpdir(), `sluice-${name}-`));
  liveDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  liveDirs.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

export interface ServerProcess {
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited (immediately if it already has). */
  exited: Promise<void>;
  isRunning(): boolean;
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, and resolves once the process is gone */
  kill(): Promise<void>;
}

/**
 * Spawns a server with stdout+stderr appended to logFile (inside a dir from
 * makeTempDir). The child is killed when we exit, and a tiny watchdog kills it
 * and removes that dir even if we are SIGKILLed.
 */
export function spawnServer(cmd: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv): ServerProcess {
  const dataDir = [...liveDirs].find((d) => logFile.startsWith(`${d}/`));
  hookExit();
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: env ?? process.env });
  closeSync(fd);
  let running = child.pid !== undefined;
  liveChildren.add(child);
  const exited = new Promise<void>((done) => {
    const finish = (): void => { running = false; liveChildren.delete(child); done(); };
    child.once('exit', finish);
    child.once('error', finish);
  });
  child.unref();
  let watchdog: ChildProcess | undefined;
  if (child.pid !== undefined) {
    // If we die without cleaning up (SIGKILL), kill the server and remove its dir.
    const rmDir = dataDir ? `; rm -rf '${dataDir}'` : '';
    const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 2; done; ` +
      `if ! kill -0 ${process.pid} 2>/dev/null; then kill -9 ${child.pid} 2>/dev/null; sleep 1${rmDir}; fi`;
    watchdog = spawn('sh', ['-c', script], { stdio: 'ignore', detached: true });
    watchdog.unref();
  }
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (running) child.kill('SIGKILL'); }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    try { watchdog?.kill('SIGKILL'); } catch { /* gone */ }
  };
  const kill = async (): Promise<void> => {
    if (running) {
      // the child is unref'd: a ref'd timer keeps the loop alive until its exit is seen
      const alive = setInterval(() => undefined, 1000);
      child.kill('SIGKILL');
      await exited;
      clearInterval(alive);
    }
    try { watchdog?.kill('SIGKILL'); } catch { /* gone */ }
  };
  return { child, logFile, exited, isRunning: () => running, stop, kill };
}

export async function logTail(file: string, lines = 40): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines - 1).join('\n');
}

/** Polls check() until it returns true; fails with the server's log tail on timeout or early exit. */
export async function waitUntil(
  what: string,
  proc: ServerProcess,
  check: () => Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; logFiles?: readonly string[] } = {},
): Promise<void> {
  const { timeoutMs = 60_000, intervalMs = 200 } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastErr = '';
  for (;;) {
    if (!proc.isRunning()) {
      const { exitCode, signalCode } = proc.child;
      throw new Error(`${what}: server exited early (code ${exitCode}, signal ${signalCode})\n${await tails(proc, opts.logFiles)}`);
    }
    try {
      if (await check()) return;
    } catch (e) {
      lastErr = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) {
      const msg = `${what}: not ready after ${timeoutMs} ms${lastErr ? ` (last error: ${lastErr})` : ''}`;
      const t = await tails(proc, opts.logFiles);
      await proc.stop(3000);
      throw new Error(`${msg}\n${t}`);
    }
    await sleep(intervalMs);
  }
}

async function tails(proc: ServerProcess, extra: readonly string[] = []): Promise<string> {
  const parts: string[] = [];
  for (const f of [proc.logFile, ...extra]) parts.push(`--- tail of ${f} ---\n${await logTail(f)}`);
  return parts.join('\n');
}

export async function tcpAccepts(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((ok) => {
    const sock = createConnection({ port, host });
    const done = (v: boolean): void => { sock.destroy(); ok(v); };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export async function httpOk(url: string, expectBody?: string, timeoutMs = 2000): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  return res.ok && (expectBody === undefined || body.trim() === expectBody);
}

/** Synchronous `command -v` lookup (PATH plus sbin dirs, which non-login shells may lack). */
export function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v ${bin}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out.startsWith('/') ? out : undefined;
}

/**
 * Builds a RunningService from a launcher that starts the server (with its
 * ports and data dir fixed by the caller) and resolves once it is ready.
 */
export async function managed(
  name: ServiceName,
  dir: string,
  env: Record<string, string>,
  launch: () => Promise<ServerProcess>,
  graceMs = 10_000,
): Promise<RunningService> {
  let proc: ServerProcess;
  try {
    proc = await launch();
  } catch (e) {
    await removeTempDir(dir);
    throw e;
  }
  return {
    name,
    env,
    async stop(): Promise<void> {
      await proc.stop(graceMs);
      await removeTempDir(dir);
    },
    async restart(): Promise<void> {
      await proc.stop(graceMs);
      proc = await launch();
    },
    async kill(): Promise<void> {
      await proc.kill();
    },
    async start(): Promise<void> {
      if (!proc.isRunning()) proc = await launch();
    },
  };
}
