// Helpers for the runtime acceptance tests (test/runtime/): a real Mosquitto, a Sluice server
// bound to it, numbered QoS 1 publishers that count only PUBACKed messages, status polling with
// a deadline, the file sink's output read back, Prometheus text parsed, a local webhook server.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import type { ConnectorStatus } from '../../src/core/connector-status.js';
import type { RecordJson } from '../../src/connectors/record-json.js';
import { startService as startHarnessService, type RunningService } from '../harness/services.js';
import { after, before } from 'node:test';
import { httpRequest, startTestServer, type HttpResult, type TestServer } from './server.js';

/** The status body, as the admin API declares it. */
export type Status = ConnectorStatus;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A real Mosquitto from the harness (installed on demand), persistence on. */
export async function startMosquitto(): Promise<{ svc: RunningService; url: string }> {
  const svc = await startHarnessService('mosquitto');
  const url = svc.env.SLUICE_TEST_MQTT_URL;
  assert.ok(url, 'harness gave no SLUICE_TEST_MQTT_URL');
  return { svc, url };
}

/** Polls `check` until it returns something other than undefined/false; fails with the last value seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, opts: { timeoutMs?: number; intervalMs?: number; describe?: () => unknown } = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100 } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      const extra = opts.describe ? ` — last: ${JSON.stringify(await opts.describe())}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}${extra}`);
    }
    await sleep(intervalMs);
  }
}

/** A thin client of one Sluice admin API. */
export class Api {
  constructor(readonly base: string) {}

  request<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
    return httpRequest<T>(this.base, method, path, body);
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.request<T>(method, path, body);
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${path} → HTTP ${r.status}: ${r.text.slice(0, 500)}`);
    return r.body;
  }

  create(body: Record<string, unknown>): Promise<unknown> {
    return this.ok('POST', '/api/v1/connectors', body);
  }

  status(name: string): Promise<Status> {
    return this.ok<Status>('GET', `/api/v1/connectors/${name}/status`);
  }

  async metrics(): Promise<string> {
    const r = await this.request('GET', '/metrics');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    return r.text;
  }

  /** Waits until `pred(status)` holds; returns that status. */
  async until(name: string, what: string, pred: (s: Status) => boolean, timeoutMs = 30_000): Promise<Status> {
    let last: Status | undefined;
    return waitFor(`${name}: ${what}`, async () => {
      last = await this.status(name);
      return pred(last) ? last : undefined;
    }, { timeoutMs, describe: () => last });
  }

  /** Waits until nothing is pending and `received` has not moved for `quietMs`. */
  async settled(name: string, quietMs = 1500, timeoutMs = 60_000): Promise<Status> {
    let last: Status | undefined;
    let since = Date.now();
    return waitFor(`${name}: settled (pending 0, no new messages for ${quietMs} ms)`, async () => {
      const s = await this.status(name);
      if (!last || s.received !== last.received || s.pending !== 0) since = Date.now();
      last = s;
      return s.pending === 0 && Date.now() - since >= quietMs ? s : undefined;
    }, { timeoutMs, describe: () => last });
  }
}

/** received = written + discarded_total + dead_lettered + filtered + pending, and the discarded map sums up. */
export function assertAccounting(s: Status, where = ''): void {
  const sum = Object.values(s.discarded).reduce((a, b) => a + b, 0);
  assert.equal(s.discarded_total, sum, `${where} discarded_total vs discarded ${JSON.stringify(s.discarded)}`);
  assert.equal(s.received, s.written + s.discarded_total + s.dead_lettered + (s.filtered ?? 0) + s.pending, `${where} accounting: ${JSON.stringify(s)}`);
  assert.equal(s.accounting_ok, true, `${where} accounting_ok`);
}

// ---- publishing ----------------------------------------------------------------------------

export interface PublishOptions {
  url: string;
  /** numbers to publish, in order */
  seqs: Iterable<number>;
  topic: (seq: number) => string;
  payload?: (seq: number) => string | Buffer;
  /** most messages waiting for a PUBACK at once */
  window?: number;
  clientId?: string;
  /** stop early (messages already sent may still be acknowledged) */
  signal?: AbortSignal;
  /** called for each PUBACK */
  onAck?: (seq: number) => void;
  /** pace: pause `ms` after every `every` messages */
  pause?: { every: number; ms: number };
  /** 1 (default): acknowledged at PUBACK; 2: at PUBCOMP */
  qos?: 1 | 2;
  /** 5 (default), or 4 for a broker that speaks only MQTT 3.1.1 (the embedded one) */
  protocolVersion?: 4 | 5;
}

export interface PublishResult {
  /** sequence numbers whose PUBACK arrived */
  acked: Set<number>;
  /** sequence numbers whose publish failed (connection lost before the PUBACK …) */
  failed: Set<number>;
  ms: number;
}

export const seqPayload = (seq: number): string => JSON.stringify({ seq });

/**
 * Publishes QoS 1 (or 2) messages with a bounded window, and counts a message as published only
 * when its PUBACK (PUBCOMP) came back. A lost connection fails the in-flight ones (no automatic resend: the
 * client is told not to reconnect) and the rest is retried on a new connection until `signal`.
 */
export async function publishNumbered(o: PublishOptions): Promise<PublishResult> {
  const started = Date.now();
  const acked = new Set<number>();
  const failed = new Set<number>();
  const window = o.window ?? 200;
  const payload = o.payload ?? seqPayload;
  const queue = [...o.seqs];
  let client: MqttClient | undefined;
  let next = 0;
  const connect = async (): Promise<MqttClient> => {
    for (;;) {
      try {
        const c = await mqtt.connectAsync(o.url, { clientId: `${o.clientId ?? 'pub'}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: o.protocolVersion ?? 5 });
        c.on('error', () => undefined);
        return c;
      } catch {
        if (o.signal?.aborted) throw new Error('aborted');
        await sleep(200);
      }
    }
  };
  try {
    while (next < queue.length && !o.signal?.aborted) {
      client = await connect().catch(() => undefined);
      if (!client) break;
      const c = client;
      let broken = false;
      const closed = new Promise<void>((resolve) =>
        c.once('close', () => {
          broken = true;
          resolve();
        }),
      );
      const inflight = new Set<Promise<void>>();
      while (next < queue.length && !broken && !o.signal?.aborted) {
        const seq = queue[next++] as number;
        const p = c
          .publishAsync(o.topic(seq), payload(seq), { qos: o.qos ?? 1 })
          .then(() => {
            acked.add(seq);
            o.onAck?.(seq);
          })
          .catch(() => {
            failed.add(seq);
          })
          .finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= window) await Promise.race([...inflight, closed]);
        if (o.pause && next % o.pause.every === 0) await sleep(o.pause.ms);
      }
      // a connection that broke fails its in-flight publishes (reconnectPeriod 0: mqtt.js does not resend)
      if (broken) {
        await Promise.race([Promise.allSettled([...inflight]), sleep(2000)]);
        await c.endAsync(true).catch(() => undefined);
        client = undefined;
        continue;
      }
      await Promise.allSettled([...inflight]);
    }
  } finally {
    await client?.endAsync().catch(() => undefined);
  }
  // whatever failed and was never acknowledged stays "not published"
  for (const s of acked) failed.delete(s);
  return { acked, failed, ms: Date.now() - started };
}

/** A subscriber that collects every message on `filter` (QoS 1). */
export async function subscribe(url: string, filter: string): Promise<{ messages: { topic: string; payload: Buffer }[]; close(): Promise<void> }> {
  const c = await mqtt.connectAsync(url, { clientId: `sub-${Math.random().toString(16).slice(2, 10)}`, reconnectPeriod: 0 });
  const messages: { topic: string; payload: Buffer }[] = [];
  c.on('message', (topic, payload) => messages.push({ topic, payload }));
  await c.subscribeAsync(filter, { qos: 1 });
  return { messages, close: () => c.endAsync().then(() => undefined) };
}

// ---- the file sink's output ------------------------------------------------------------------

export function readJsonLines(path: string): RecordJson[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const out: RecordJson[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    out.push(JSON.parse(line) as RecordJson);
  }
  return out;
}

export const seqOf = (r: { payload: string }): number => (JSON.parse(r.payload) as { seq: number }).seq;

/** How many times each sequence number occurs. */
export function countSeqs(records: { payload: string }[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of records) {
    const s = seqOf(r);
    m.set(s, (m.get(s) ?? 0) + 1);
  }
  return m;
}

/** Sequence numbers of `expected` absent from `got` (first few, for messages). */
export function missing(expected: Iterable<number>, got: Map<number, number> | Set<number>): number[] {
  const out: number[] = [];
  for (const s of expected) if (!got.has(s)) out.push(s);
  return out;
}

export function duplicates(counts: Map<number, number>): number {
  let d = 0;
  for (const n of counts.values()) d += n - 1;
  return d;
}

// ---- Prometheus text ---------------------------------------------------------------------------

/** The value of `name{labels…}` (every given label must match), or undefined. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const lm of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have[lm[1] as string] = lm[2] as string;
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

// ---- a local webhook -----------------------------------------------------------------------

export interface WebhookServer {
  url: string;
  port: number;
  /** every record of every request answered 2xx, in arrival order */
  written: RecordJson[];
  /** number of requests, by answered status */
  answered: Map<number, number>;
  /** records per request, in arrival order, whatever the answer */
  requestSizes: number[];
  /** decides the status of each request from its records and headers (default 200) */
  respond: (records: RecordJson[], headers: IncomingHttpHeaders) => number | { status: number; headers?: Record<string, string> };
  close(): Promise<void>;
}

export async function startWebhook(respond: WebhookServer['respond'] = () => 200, port = 0): Promise<WebhookServer> {
  const wh: WebhookServer = {
    url: '',
    port: 0,
    written: [],
    answered: new Map(),
    requestSizes: [],
    respond,
    close: async () => undefined,
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let records: RecordJson[] = [];
      try {
        records = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordJson[];
      } catch {
        res.writeHead(400).end('not JSON');
        return;
      }
      wh.requestSizes.push(records.length);
      const r = wh.respond(records, req.headers);
      const { status, headers } = typeof r === 'number' ? { status: r, headers: {} } : r;
      wh.answered.set(status, (wh.answered.get(status) ?? 0) + 1);
      if (status >= 200 && status < 300) wh.written.push(...records);
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(status < 300 ? 'ok' : `status ${status}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  wh.port = (server.address() as AddressInfo).port;
  wh.url = `http://127.0.0.1:${wh.port}/hook`;
  wh.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return wh;
}

export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/**
 * Makes sure the connector's subscription is in place by publishing `seq` (QoS 1) until the
 * connector has received it: a message published before the SUBACK reaches no one. `seq`
 * then counts as the first message of the test's stream.
 */
export async function primeWith(api: Api, name: string, url: string, topic: string, seq: number, payload: (seq: number) => string = seqPayload): Promise<void> {
  await api.until(name, 'source connected', (s) => s.source_connected, 30_000);
  const before = (await api.status(name)).received;
  const c = await mqtt.connectAsync(url, { clientId: `prime-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 0 });
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      await c.publishAsync(topic, payload(seq), { qos: 1 });
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline) {
        if ((await api.status(name)).received > before) return;
        await sleep(50);
      }
    }
    throw new Error(`${name} never received the priming message on ${topic}`);
  } finally {
    await c.endAsync().catch(() => undefined);
  }
}

/** A real Mosquitto and a Sluice bound to it for one describe block; webhooks pushed to `hooks` are closed after. */
export interface SluiceOnMosquitto {
  broker: RunningService;
  url: string;
  server: TestServer;
  api: Api;
  hooks: WebhookServer[];
}

/** Registers the before/after hooks; the returned object is filled in once `before` has run. */
export function sluiceOnMosquitto(): SluiceOnMosquitto {
  const fx = { hooks: [] as WebhookServer[] } as SluiceOnMosquitto;
  before(async () => {
    ({ svc: fx.broker, url: fx.url } = await startMosquitto());
    fx.server = await startTestServer({ mqttUrl: fx.url });
    fx.api = new Api(fx.server.url);
  });
  after(async () => {
    await fx.server?.cleanup();
    for (const h of fx.hooks) await h.close();
    await fx.broker?.stop();
  });
  return fx;
}

export interface TimedDrain {
  /** status once every record is written */
  status: Status;
  /** records that went through the connector (the prime included) */
  total: number;
  /** seconds from resume to the last record written: the sink's own rate */
  secs: number;
  /** wall time before the prime, and after the drain (to bound the records' timestamps) */
  t0: number;
  t1: number;
}

/**
 * Primes a running connector with seq 0, pauses it, journals seqs 1..n-1, then resumes and
 * times the drain, so the rate measured is the sink's and not the publisher's.
 */
export async function timedDrain(api: Api, o: { name: string; url: string; topic: (seq: number) => string; payload: (seq: number) => string; n: number; clientId: string }): Promise<TimedDrain> {
  const t0 = Date.now();
  await primeWith(api, o.name, o.url, o.topic(0), 0, o.payload);
  // (a prime is re-sent if it seemed lost: count from what arrived)
  const base = (await api.until(o.name, 'prime written', (s) => s.written >= 1 && s.pending === 0)).received;
  await api.ok('POST', `/api/v1/connectors/${o.name}/pause`);
  await api.until(o.name, 'paused', (s) => s.state === 'paused');
  const pub = await publishNumbered({ url: o.url, seqs: range(1, o.n), topic: o.topic, payload: o.payload, clientId: o.clientId, window: 500 });
  assert.equal(pub.acked.size, o.n - 1);
  const total = base + o.n - 1;
  await api.until(o.name, 'all journaled', (s) => s.received === total);
  const started = performance.now();
  await api.ok('POST', `/api/v1/connectors/${o.name}/resume`);
  const status = await api.until(o.name, `${total} written`, (x) => x.written === total && x.pending === 0, 120_000);
  return { status, total, secs: (performance.now() - started) / 1000, t0, t1: Date.now() };
}
