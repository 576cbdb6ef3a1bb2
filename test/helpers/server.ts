// Test helper: starts a real Sluice admin server (startService) on a free port with a
// temporary SQLite file, and offers a small typed HTTP client over global fetch.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { startService, type RunningService } from '../../src/serve.js';
import { settingsFromEnv, type Settings } from '../../src/settings.js';
import { exampleConfigs } from './type-fixtures.js';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  /** raw response text */
  text: string;
  /** parsed JSON body, or undefined when the body was empty or not JSON */
  body: T;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** send `body` as-is (string or Buffer) instead of JSON-encoding it */
  raw?: boolean;
  token?: string;
}

export interface TestServer {
  url: string;
  dbPath: string;
  dir: string;
  running: RunningService;
  request<T = unknown>(method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<HttpResult<T>>;
  /** stops the server; the temp directory is kept until `cleanup()` */
  stop(): Promise<void>;
  /** stops the server (when still running) and removes the temp directory */
  cleanup(): Promise<void>;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = 'sluice-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function httpRequest<T = unknown>(baseUrl: string, method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let payload: string | Buffer | undefined;
  if (body !== undefined) {
    if (opts.raw) payload = body as string | Buffer;
    else {
      payload = JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
  }
  const res = await fetch(baseUrl + path, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed as T };
}

/**
 * Starts a server with a temp DB; `port: 0` is used for the API and the embedded broker (unless
 * `mqttUrl` points at a real broker), so the OS picks the ports.
 */
export async function startTestServer(overrides: Partial<Settings> = {}): Promise<TestServer> {
  const dir = tempDir();
  const dbPath = overrides.dbPath ?? join(dir, 'sluice.db');
  const settings = settingsFromEnv({}, { host: '127.0.0.1', port: 0, embeddedBrokerPort: 0, logLevel: 'silent', ...overrides, dbPath });
  const running = await startService(settings);
  const url = running.url;
  return {
    url,
    dbPath,
    dir,
    running,
    request: (method, path, body, opts) => httpRequest(url, method, path, body, { token: overrides.apiToken, ...opts }),
    stop: () => running.stop(),
    async cleanup() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/** Error body every route answers with. */
export interface ErrorBody {
  code: number;
  error: string;
  message: string;
  fields?: { path: string; rule: string }[];
}

/** A valid config per connector type, for tests that need "any valid connector": each schema's first example. */
export const VALID_CONFIGS: Record<string, Record<string, unknown>> = exampleConfigs();

/**
 * The runtime starts every connector it is given, so a test webhook points at a closed local
 * port: refused at once, with no DNS lookup and no traffic leaving the machine.
 */
export const LOCAL_WEBHOOK_URL = 'http://127.0.0.1:9/hook';

export function webhookBody(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, type: 'webhook', topic_filter: 'sensors/#', config: { url: LOCAL_WEBHOOK_URL }, ...extra };
}

/** Matches anything that looks like a stack trace or a source location. */
const STACK_LIKE = /(\n\s+at\s)|(\bat\s+\S+\s+\(.*:\d+:\d+\))|(\.[cm]?[jt]s:\d+)|("stack")|(node_modules)/;

/**
 * Asserts the one error shape: `{code, error, message, fields?}` with the HTTP status and
 * numeric code that src/errors.ts gives `error`, and no stack trace anywhere in the text.
 */
export function assertError(r: HttpResult, error: ErrorCode, fields?: { path: string; rule: string }[]): ErrorBody {
  const spec = ERROR_CODES[error];
  assert.equal(r.status, spec.status, `HTTP status for ${error}: ${r.text.slice(0, 500)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  const body = r.body as ErrorBody;
  assert.ok(body && typeof body === 'object', `error body is JSON: ${r.text.slice(0, 200)}`);
  assert.equal(body.error, error, r.text.slice(0, 500));
  assert.equal(body.code, spec.code);
  assert.notEqual(body.code, 0);
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0);
  for (const k of Object.keys(body)) assert.ok(['code', 'error', 'message', 'fields'].includes(k), `unexpected key ${k} in error body`);
  assertNoStack(r.text);
  if (fields !== undefined) assert.deepEqual(body.fields, fields);
  return body;
}

export function assertNoStack(text: string): void {
  assert.doesNotMatch(text, STACK_LIKE, `looks like a stack trace: ${text.slice(0, 500)}`);
}
