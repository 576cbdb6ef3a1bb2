// Sluice as its own process (compiled dist/), with a small admin-API client for the benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/harness/services.js';
import { cpuMsOf, memoryOf, ROOT, waitFor } from './lib.js';

export interface Status {
  state: string;
  received: number;
  written: number;
  pending: number;
  discarded_total: number;
  dead_lettered: number;
  filtered?: number;
  source_connected: boolean;
  accounting_ok: boolean;
}

export class SluiceProcess {
  private constructor(
    readonly proc: ChildProcess,
    readonly url: string,
    readonly dir: string,
  ) {}

  static async start(mqttUrl: string, extraArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<SluiceProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
    const port = await freePort();
    const proc = spawn(process.execPath, [...extraArgs, join(ROOT, 'dist/admin/cli/main.js'), 'serve'], {
      env: { ...process.env, SLUICE_DB: join(dir, 'sluice.db'), SLUICE_PORT: String(port), SLUICE_MQTT_URL: mqttUrl, SLUICE_LOG_LEVEL: 'warn', SLUICE_MQTT_PROTOCOL: '5', ...extraEnv },
      stdio: ['ignore', 'ignore', 'inherit'],
      cwd: dir,
    });
    const s = new SluiceProcess(proc, `http://127.0.0.1:${port}`, dir);
    await waitFor('sluice to answer', async () => ((await fetch(`${s.url}/health`).catch(() => undefined))?.ok ? true : undefined), 30_000, 100);
    return s;
  }

  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(this.url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async create(def: Record<string, unknown>): Promise<void> {
    await this.api('POST', '/api/v1/connectors', def);
    await waitFor(`${String(def.name)} subscribed`, async () => ((await this.status(String(def.name))).source_connected ? true : undefined), 30_000, 50);
  }

  status(name: string): Promise<Status> {
    return this.api<Status>('GET', `/api/v1/connectors/${name}/status`);
  }

  memory(): { rssMb: number; peakRssMb: number } {
    return memoryOf(this.proc.pid as number);
  }

  /** CPU time (user + system) the process has used so far, in ms (Linux /proc) */
  cpuMs(): number {
    return cpuMsOf(this.proc.pid as number);
  }

  journalBytes(): number {
    return ['journal.db', 'journal.db-wal'].reduce((n, f) => {
      try {
        return n + statSync(join(this.dir, f)).size;
      } catch {
        return n;
      }
    }, 0);
  }

  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    await new Promise((r) => this.proc.once('exit', r));
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}
