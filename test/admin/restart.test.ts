// Crash safety of the definitions: a real `sluice serve` process (bin/sluice.js) is killed with
// SIGKILL and started again on the same SQLite file; every acknowledged write is still there,
// with the same revision and timestamps, and secrets are still redacted on reads.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SqliteDefinitionStore } from '../../src/metadata/sqlite-store.js';
import { freePort, httpRequest, LOCAL_WEBHOOK_URL, tempDir } from '../helpers/server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'sluice.js');

interface Proc {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

function newestMtime(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** Says which code `bin/sluice.js` will run: a stale dist/ would hide source changes. */
function whichBuild(t: TestContext): void {
  const compiled = join(ROOT, 'dist', 'admin', 'cli', 'main.js');
  if (!existsSync(compiled)) return t.diagnostic('bin/sluice.js runs the TypeScript sources (no dist/)');
  const stale = newestMtime(join(ROOT, 'src')) > statSync(compiled).mtimeMs;
  t.diagnostic(`bin/sluice.js runs dist/ (compiled)${stale ? ' — WARNING: src/ has changed since dist/ was built' : ''}`);
}

async function serve(dbPath: string): Promise<Proc> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SLUICE_')) env[k] = v;
  Object.assign(env, { SLUICE_DB: dbPath, SLUICE_PORT: String(port), SLUICE_HOST: '127.0.0.1', SLUICE_EMBEDDED_BROKER_PORT: '0', SLUICE_LOG_LEVEL: 'warn' });
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) assert.fail(`sluice serve exited early (${child.exitCode ?? child.signalCode}):\n${out}`);
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) assert.fail(`sluice serve did not answer /health within 60 s:\n${out}`);
    await sleep(100);
  }
  return { child, url, output: () => out, exited };
}

interface View {
  name: string;
  revision: number;
  created_at: string;
  updated_at: string;
  config: Record<string, unknown>;
  desired_state: string;
}

const SECRET = `restart-secret-${process.pid}`;

describe('restart after SIGKILL', () => {
  test('connectors survive kill -9 with the same revision, timestamps and redacted secrets', { timeout: 180_000 }, async (t) => {
    whichBuild(t);
    const dir = tempDir('sluice-restart-');
    dirs.push(dir);
    const dbPath = join(dir, 'data', 'sluice.db');

    const first = await serve(dbPath);
    const req = <T = unknown>(p: Proc, method: string, path: string, body?: unknown) => httpRequest<T>(p.url, method, path, body);

    const created = await req<View>(first, 'POST', '/api/v1/connectors', {
      name: 'survivor', type: 'webhook', topic_filter: 'plant/+/temp',
      config: { url: LOCAL_WEBHOOK_URL, auth_type: 'bearer', bearer_token: SECRET },
      failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 5 },
    });
    assert.equal(created.status, 201, created.text);
    const patched = await req<View>(first, 'PATCH', '/api/v1/connectors/survivor', { description: 'patched before the crash', desired_state: 'paused' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.revision, 2);
    const rq = await req(first, 'POST', '/api/cluster/connector/create', { connector_name: 'rq-survivor', connector_type: 'kafka', topic_name: 'a/#', config: JSON.stringify({ bootstrap_servers: '127.0.0.1:9', topic: 't', sasl_mechanism: 'plain', sasl_username: 'u', sasl_password: SECRET }) });
    assert.equal(rq.status, 200, rq.text);
    // a burst of acknowledged creates, the kill right after the last answer
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => req(first, 'POST', '/api/v1/connectors', { name: `burst-${i}`, type: 'file', topic_filter: `b/${i}`, config: { local_file_path: join(dir, `out-${i}.jsonl`) }, desired_state: 'paused' })));
    assert.ok(burst.every((r) => r.status === 201));
    const before = (await req<View>(first, 'GET', '/api/v1/connectors/survivor')).body;

    assert.ok(first.child.kill('SIGKILL'));
    const gone = await first.exited;
    assert.equal(gone.signal, 'SIGKILL');

    const second = await serve(dbPath);
    const after = await req<View>(second, 'GET', '/api/v1/connectors/survivor');
    assert.equal(after.status, 200, after.text);
    assert.deepEqual(after.body, before, 'same definition, revision and timestamps');
    assert.equal(after.body.revision, 2);
    assert.equal(after.body.desired_state, 'paused');
    assert.equal(after.body.config.bearer_token, '******');
    assert.ok(!after.text.includes(SECRET));

    const list = await req<{ total: number; items: View[] }>(second, 'GET', '/api/v1/connectors?limit=1000');
    assert.equal(list.body.total, 22);
    assert.ok(!list.text.includes(SECRET));
    const rqList = await req<{ data: { data: { connector_name: string; config: string }[] } }>(second, 'GET', '/api/cluster/connector/list?connector_name=rq-survivor');
    assert.equal((JSON.parse(rqList.body.data.data[0]?.config ?? '{}') as Record<string, unknown>).sasl_password, '******');
    assert.ok(!rqList.text.includes(SECRET));

    // the unique key survived too, and the revision carries on from 2
    assert.equal((await req(second, 'POST', '/api/v1/connectors', { name: 'survivor', type: 'file', topic_filter: 'x', config: { local_file_path: '/tmp/x' } })).status, 409);
    assert.equal((await req<View>(second, 'PATCH', '/api/v1/connectors/survivor', { description: 'after' })).body.revision, 3);

    // a clean stop (SIGTERM) exits 0; then the file itself holds the real secrets, as written
    assert.ok(second.child.kill('SIGTERM'));
    const stopped = await second.exited;
    assert.equal(stopped.code, 0, second.output());
    const store = new SqliteDefinitionStore(dbPath);
    try {
      assert.equal((await store.get('default', 'survivor'))?.config.bearer_token, SECRET);
      assert.equal((await store.get('default', 'rq-survivor'))?.config.sasl_password, SECRET);
      assert.equal((await store.get('default', 'survivor'))?.revision, 3);
    } finally {
      await store.close();
    }
  });
});
