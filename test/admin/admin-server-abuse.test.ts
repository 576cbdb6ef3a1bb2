// The admin server under abuse: HTTPS with SLUICE_TLS_CERT_FILE/_KEY_FILE, a slow-body client cut
// off by the request timeout, the connection cap, and /health answering during a burst of 1,000
// concurrent requests (its time is logged, not asserted: this machine is shared and loaded).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ensureOpenssl } from '../harness/services.js';
import { startTestServer, tempDir, webhookBody } from '../helpers/server.js';

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves when the server closes the socket (with what it sent before), or after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<{ closed: boolean; data: string }> {
  return new Promise((resolve) => {
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => (data += d));
    const timer = setTimeout(() => resolve({ closed: false, data }), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, data });
    });
    socket.on('error', () => undefined);
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

describe('admin server under abuse', () => {
  test('HTTPS with SLUICE_TLS_CERT_FILE / SLUICE_TLS_KEY_FILE; plain HTTP gets no answer', { timeout: 120_000 }, async () => {
    const dir = tempDir('sluice-admin-tls-');
    const bin = await ensureOpenssl();
    execFileSync(bin, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const s = await startTestServer({ tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem') });
    try {
      assert.match(s.url, /^https:\/\//);
      const r = await httpsGet(`${s.url}/health`, readFileSync(join(dir, 'cert.pem'), 'utf8'));
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body), { status: 'ok' });
      await assert.rejects(fetch(s.url.replace('https:', 'http:') + '/health', { signal: AbortSignal.timeout(10_000) }));
    } finally {
      await s.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a half-set TLS pair is refused at start, naming both settings', async () => {
    await assert.rejects(startTestServer({ tlsCertFile: '/nonexistent/cert.pem' }), /SLUICE_TLS_CERT_FILE and SLUICE_TLS_KEY_FILE: set both/);
  });

  test('a client that never finishes its body is cut off by the request timeout', { timeout: 60_000 }, async () => {
    const s = await startTestServer({ requestTimeoutMs: 1000 });
    try {
      const sock = await open(Number(new URL(s.url).port));
      sock.write('POST /api/v1/connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":');
      const r = await closedWithin(sock, 30_000);
      assert.ok(r.closed, 'the server closed the slow connection');
      assert.match(r.data, /^HTTP\/1\.1 408/);
    } finally {
      await s.cleanup();
    }
  });

  test('connections beyond SLUICE_MAX_CONNECTIONS are closed at once; the others are served', { timeout: 60_000 }, async () => {
    const s = await startTestServer({ maxConnections: 5 });
    const port = Number(new URL(s.url).port);
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) held.push(await open(port));
      const extra = await open(port);
      assert.ok((await closedWithin(extra, 10_000)).closed, 'the sixth connection is closed');
      held[0]?.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const answer = await closedWithin(held[0] as Socket, 10_000);
      assert.match(answer.data, /^HTTP\/1\.1 200/);
    } finally {
      for (const h of held) h.destroy();
      await s.cleanup();
    }
  });

  test('/health answers during a burst of 1,000 concurrent requests', { timeout: 120_000 }, async () => {
    const s = await startTestServer();
    try {
      for (let i = 0; i < 20; i++) assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody(`burst-${i}`, { desired_state: 'paused' }))).status, 201);
      // 1,000 requests in flight at once, over 200 keep-alive connections (the listen backlog would refuse 1,000 new ones)
      const agent = new Agent({ keepAlive: true, maxSockets: 200 });
      const get = (path: string) =>
        new Promise<number>((resolve, reject) => {
          const req = httpRequest(s.url + path, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        });
      const burst = Array.from({ length: 1000 }, (_, i) => get(i % 2 ? '/api/v1/connectors?limit=100' : '/api/cluster/connector/list'));
      const started = Date.now();
      const health = await s.request('GET', '/health');
      const healthMs = Date.now() - started;
      const statuses = await Promise.all(burst);
      agent.destroy();
      const burstMs = Date.now() - started;
      assert.equal(health.status, 200);
      assert.ok(statuses.every((st) => st === 200), `burst answers: ${[...new Set(statuses)].join(', ')}`);
      process.stderr.write(`[admin-abuse] /health answered in ${healthMs} ms during a burst of 1,000 requests (burst done in ${burstMs} ms)\n`);
    } finally {
      await s.cleanup();
    }
  });
});
