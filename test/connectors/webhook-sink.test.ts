import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { SinkError, type ConnectorSink, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { httpStatusKind, parseRetryAfter } from '../../src/connectors/http-failure.js';
import { createWebhookSink } from '../../src/connectors/webhook/sink.js';
import type { WebhookConfig } from '../../src/metadata/configs/webhook.js';
import { webhookType } from '../../src/metadata/configs/webhook.js';

const logs: string[] = [];
const ctx: SinkContext = { tenant: 'default', connectorName: 'hook-test', log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`) };

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Hook {
  url: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

const servers: Hook[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

/** A real HTTP server on loopback; `respond` answers each request after its body was read. */
async function hook(respond: (res: ServerResponse, req: Received) => void = (res) => res.end('ok')): Promise<Hook> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      respond(res, r);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const h: Hook = {
    url: `http://127.0.0.1:${port}/ingest`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(h);
  return h;
}

async function closedPort(): Promise<number> {
  const h = await hook();
  await h.close();
  return h.port;
}

function cfg(url: string, over: Partial<WebhookConfig> = {}): WebhookConfig {
  return { url, method: 'post', headers: {}, timeout_ms: 2000, auth_type: 'none', ...over };
}

async function started(config: WebhookConfig): Promise<ConnectorSink> {
  const sink = createWebhookSink(config, ctx);
  await sink.init();
  return sink;
}

function rec(offset: number, payload: Buffer | string): SinkRecord {
  return { id: `e-${offset}`, offset, topic: `dev/${offset}/state`, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: 1, retain: false, timestamp: 1_790_000_000_000 + offset };
}

function sinkError(kind: SinkError['kind'], check: (e: SinkError) => void = () => undefined) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof SinkError, `not a SinkError: ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    check(err);
    return true;
  };
}

test('POSTs the batch as a JSON array of documented records', async () => {
  const h = await hook();
  const sink = await started(cfg(h.url));
  const binary = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
  assert.deepEqual(await sink.sendBatch([rec(1, '{"on":true}'), { ...rec(2, binary), retain: true, properties: { correlationData: Buffer.from('c1') } }]), { failed: [] });
  const [r] = h.received;
  assert.ok(r);
  assert.equal(r.method, 'POST');
  assert.equal(r.url, '/ingest');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(r.body), [
    { id: 'e-1', topic: 'dev/1/state', payload: '{"on":true}', payload_encoding: 'utf8', qos: 1, retain: false, timestamp: 1_790_000_000_001, offset: 1 },
    { id: 'e-2', topic: 'dev/2/state', payload: '3q2+7w==', payload_encoding: 'base64', qos: 1, retain: true, timestamp: 1_790_000_000_002, offset: 2, properties: { correlation_data: 'YzE=' } },
  ]);
});

test('a batch of one is still an array', async () => {
  const h = await hook();
  const sink = await started(cfg(h.url));
  await sink.sendBatch([rec(5, 'solo')]);
  const body = JSON.parse(h.received[0]!.body) as unknown;
  assert.ok(Array.isArray(body));
  assert.deepEqual(body, [{ id: 'e-5', topic: 'dev/5/state', payload: 'solo', payload_encoding: 'utf8', qos: 1, retain: false, timestamp: 1_790_000_000_005, offset: 5 }]);
});

test('PUT with configured headers and basic auth', async () => {
  const h = await hook((res) => res.writeHead(204).end());
  const sink = await started(cfg(h.url, { method: 'put', headers: { 'X-Source': 'sluice', 'X-Tenant': 't1' }, auth_type: 'basic', username: 'ingest', password: 'pä$$:word' }));
  assert.deepEqual(await sink.sendBatch([rec(1, 'x')]), { failed: [] });
  const r = h.received[0]!;
  assert.equal(r.method, 'PUT');
  assert.equal(r.headers['x-source'], 'sluice');
  assert.equal(r.headers['x-tenant'], 't1');
  assert.equal(r.headers.authorization, `Basic ${Buffer.from('ingest:pä$$:word').toString('base64')}`);
  assert.ok(logs.every((l) => !l.includes('pä$$')), 'password logged');
});

test('bearer auth', async () => {
  const h = await hook();
  const sink = await started(cfg(h.url, { auth_type: 'bearer', bearer_token: 'tok-123' }));
  await sink.sendBatch([rec(1, 'x')]);
  assert.equal(h.received[0]!.headers.authorization, 'Bearer tok-123');
});

test('503 is unavailable and honours Retry-After in seconds', async () => {
  const h = await hook((res) => res.writeHead(503, { 'retry-after': '7' }).end('maintenance'));
  const sink = await started(cfg(h.url));
  await assert.rejects(
    sink.sendBatch([rec(1, 'x')]),
    sinkError('unavailable', (e) => {
      assert.equal(e.retryAfterMs, 7000);
      assert.match(e.message, /503/);
      assert.match(e.message, /maintenance/);
    }),
  );
});

test('503 honours Retry-After as an HTTP date', async () => {
  const h = await hook((res) => res.writeHead(503, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }).end());
  const sink = await started(cfg(h.url));
  await assert.rejects(
    sink.sendBatch([rec(1, 'x')]),
    sinkError('unavailable', (e) => {
      assert.ok(e.retryAfterMs !== undefined && e.retryAfterMs > 27_000 && e.retryAfterMs <= 30_000, `retryAfterMs ${e.retryAfterMs}`);
    }),
  );
});

test('429 and 408 are retriable; a 500 is unavailable and without Retry-After has none', async () => {
  for (const status of [429, 408, 500]) {
    const h = await hook((res) => res.writeHead(status, status === 429 ? { 'retry-after': '2' } : {}).end());
    const sink = await started(cfg(h.url));
    await assert.rejects(
      sink.sendBatch([rec(1, 'x')]),
      sinkError(status === 500 ? 'unavailable' : 'retriable', (e) => {
        assert.equal(e.retryAfterMs, status === 429 ? 2000 : undefined);
        assert.match(e.message, new RegExp(`HTTP ${status}`));
      }),
    );
  }
});

test('400 is permanent with the status and the start of the body, and no secret', async () => {
  const detail = `bad record: ${'z'.repeat(500)}`;
  const h = await hook((res) => res.writeHead(400, { 'content-type': 'text/plain' }).end(detail));
  const sink = await started(cfg(`${h.url}?api_key=s3cret`, { auth_type: 'bearer', bearer_token: 'tok-xyz' }));
  await assert.rejects(
    sink.sendBatch([rec(1, 'x'), rec(2, 'y')]),
    sinkError('permanent', (e) => {
      assert.match(e.message, /HTTP 400/);
      assert.ok(e.message.includes(detail.slice(0, 200)));
      assert.ok(!e.message.includes(detail.slice(0, 201)), 'more than 200 chars of body');
      assert.ok(!e.message.includes('s3cret') && !e.message.includes('tok-xyz'), e.message);
    }),
  );
  assert.equal(h.received[0]!.url, '/ingest?api_key=s3cret');
});

test('422 and 413 are permanent; 401, 403 and 404 are unavailable; a redirect is unavailable and not followed', async () => {
  for (const status of [422, 413]) {
    const h = await hook((res) => res.writeHead(status).end('no'));
    await assert.rejects((await started(cfg(h.url))).sendBatch([rec(1, 'x')]), sinkError('permanent'));
  }
  for (const status of [401, 403, 404]) {
    const h = await hook((res) => res.writeHead(status).end('no'));
    await assert.rejects((await started(cfg(h.url))).sendBatch([rec(1, 'x')]), sinkError('unavailable', (e) => assert.match(e.message, new RegExp(`HTTP ${status}`))));
  }
  const h = await hook((res) => res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end());
  await assert.rejects((await started(cfg(h.url))).sendBatch([rec(1, 'x')]), sinkError('unavailable', (e) => assert.match(e.message, /elsewhere/)));
  assert.equal(h.received.length, 1);
});

test('a timeout is unavailable', async () => {
  const h = await hook(() => undefined); // never answers
  const sink = await started(cfg(h.url, { timeout_ms: 150 }));
  const t0 = Date.now();
  await assert.rejects(sink.sendBatch([rec(1, 'x')]), sinkError('unavailable', (e) => assert.match(e.message, /timed out after 150 ms/)));
  assert.ok(Date.now() - t0 < 1500);
});

test('connection refused is unavailable', async () => {
  const port = await closedPort();
  const sink = await started(cfg(`http://127.0.0.1:${port}/x`));
  await assert.rejects(sink.sendBatch([rec(1, 'x')]), sinkError('unavailable', (e) => assert.match(e.message, /ECONNREFUSED/)));
});

test('credentials in the URL become basic auth and stay out of messages', async () => {
  const h = await hook((res) => res.writeHead(500).end());
  const sink = await started(cfg(h.url.replace('http://', 'http://u%40x:p%3Ass@')));
  await assert.rejects(sink.sendBatch([rec(1, 'x')]), sinkError('unavailable', (e) => assert.ok(!e.message.includes('p%3Ass') && !e.message.includes('u%40x'), e.message)));
  assert.equal(h.received[0]!.headers.authorization, `Basic ${Buffer.from('u@x:p:ss').toString('base64')}`);
});

test('validate: passes for an open port, names host:port for a closed one', async () => {
  const h = await hook();
  await createWebhookSink(cfg(h.url), ctx).validate();
  assert.equal(h.received.length, 0, 'validate sent a request');
  const port = await closedPort();
  await assert.rejects(createWebhookSink(cfg(`http://127.0.0.1:${port}/x`), ctx).validate(), (err: Error) => {
    assert.match(err.message, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    return true;
  });
  await assert.rejects(createWebhookSink(cfg('not a url'), ctx).validate(), /not a valid URL/);
});

test('cleanup is safe twice; the registered loader builds a working sink', async () => {
  assert.ok(webhookType.loadSink);
  const factory = await webhookType.loadSink();
  const h = await hook();
  const sink = factory.createSink({ url: h.url, method: 'post', headers: {}, timeout_ms: 1000, auth_type: 'none' }, ctx);
  await sink.init();
  assert.deepEqual(await sink.sendBatch([rec(1, 'x')]), { failed: [] });
  await sink.cleanup();
  await sink.cleanup();
});

test('httpStatusKind: the contract rule for every HTTP sink', () => {
  const table: Record<SinkError['kind'], number[]> = {
    unavailable: [301, 302, 307, 308, 401, 403, 404, 405, 407, 410, 421, 500, 502, 503, 504, 599],
    retriable: [408, 425, 429],
    permanent: [400, 409, 411, 413, 414, 415, 422, 431, 451],
  };
  for (const [kind, statuses] of Object.entries(table)) {
    for (const status of statuses) assert.equal(httpStatusKind(status), kind, String(status));
  }
});

test('parseRetryAfter', () => {
  const now = Date.parse('2026-11-22T13:00:00Z');
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('0', now), 0);
  assert.equal(parseRetryAfter(' 120 ', now), 120_000);
  assert.equal(parseRetryAfter('Sun, 22 Nov 2026 13:00:45 GMT', now), 45_000);
  assert.equal(parseRetryAfter('Sun, 22 Nov 2026 12:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter('1.5', now), undefined);
  assert.equal(parseRetryAfter('-3', now), undefined);
});
