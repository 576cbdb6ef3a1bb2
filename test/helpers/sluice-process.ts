// Runs `node bin/sluice.js serve` as a child process (for crash tests): env-configured, output
// captured for failure messages, ready when /health answers, killable with any signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server.js';
import { sleep } from './runtime.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SluiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** stdout + stderr so far */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startSluiceProcess(env: Record<string, string>, timeoutMs = 30_000, cwd = ROOT): Promise<SluiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'sluice.js'), 'serve'], {
    cwd,
    env: { ...process.env, SLUICE_HOST: '127.0.0.1', SLUICE_PORT: String(port), SLUICE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  // never outlive the test process
  const reap = () => {
    if (!gone) child.kill('SIGKILL');
  };
  process.once('exit', reap);
  void exited.then(() => {
    gone = true;
    process.off('exit', reap);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone) throw new Error(`sluice serve exited before it was ready:\n${out}`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sluice serve not ready after ${timeoutMs} ms:\n${out}`);
    }
    await sleep(100);
  }
  return {
    url,
    port,
    child,
    output: () => out,
    exited,
    async kill(signal) {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}
