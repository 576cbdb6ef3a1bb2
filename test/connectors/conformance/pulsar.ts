// The Pulsar target: the harness's standalone broker (token authentication, WebSocket API on,
// maxMessageSize 128 KiB). The sink writes to one topic; the record id is the `sluice_id`
// property, read back with a WebSocket reader from the earliest message up to a marker message
// produced just before (so the read knows where the topic ends). The poison record is larger than
// the broker's maxMessageSize, below the WebSocket frame limit.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { PULSAR_MAX_MESSAGE_BYTES, startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

export interface ReadMessage {
  payload: Buffer;
  properties: Record<string, string>;
  key?: string;
  eventTime?: string;
  publishTime: string;
}

interface Opened { ws: WebSocket }

function openSocket(url: string, token: string): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, handshakeTimeout: 10_000, maxPayload: 64 * 1024 * 1024 });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`${url}: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Produces one message (admin token) and resolves once the broker acked it. */
async function produce(wsBase: string, path: string, token: string, payload: Buffer, properties: Record<string, string>): Promise<void> {
  const { ws } = await openSocket(`${wsBase}/ws/v2/producer/${path}`, token);
  try {
    await new Promise<void>((ok, fail) => {
      ws.once('message', (d: WebSocket.RawData) => {
        const ack = JSON.parse(d.toString()) as { result: string; errorMsg?: string };
        if (ack.result === 'ok') ok();
        else fail(new Error(`marker not written: ${ack.result} ${ack.errorMsg ?? ''}`));
      });
      ws.once('close', () => fail(new Error('producer closed before the ack')));
      ws.send(JSON.stringify({ payload: payload.toString('base64'), properties, context: 'm' }));
    });
  } finally {
    ws.close();
  }
}

/**
 * Every message of a topic (path as in `/ws/v2/reader/<path>`), from the earliest, in order: a
 * marker is produced first and the read stops at it; markers are left out.
 */
export async function readTopic(wsBase: string, path: string, token: string, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const marker = randomUUID();
  await produce(wsBase, path, token, Buffer.from('marker'), { sluice_test_marker: marker });
  const { ws } = await openSocket(`${wsBase}/ws/v2/reader/${path}?messageId=earliest&receiverQueueSize=1000`, token);
  const out: ReadMessage[] = [];
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`read of ${path}: marker not reached within ${timeoutMs} ms (${out.length} read)`)), timeoutMs);
      ws.on('message', (d: WebSocket.RawData) => {
        const m = JSON.parse(d.toString()) as { messageId: string; payload: string; properties?: Record<string, string>; key?: string; eventTime?: string; publishTime: string };
        ws.send(JSON.stringify({ messageId: m.messageId }));
        const properties = m.properties ?? {};
        if (properties.sluice_test_marker === marker) {
          clearTimeout(timer);
          return ok();
        }
        if (properties.sluice_test_marker !== undefined) return;
        const r: ReadMessage = { payload: Buffer.from(m.payload, 'base64'), properties, publishTime: m.publishTime };
        if (m.key !== undefined) r.key = m.key;
        if (m.eventTime !== undefined) r.eventTime = m.eventTime;
        out.push(r);
      });
      ws.once('close', () => fail(new Error(`read of ${path}: reader closed`)));
    });
  } finally {
    ws.removeAllListeners('close');
    ws.close();
  }
  return out;
}

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('pulsar');
    const wsBase = svc.env.SLUICE_TEST_PULSAR_WS_URL as string;
    const admin = svc.env.SLUICE_TEST_PULSAR_ADMIN_TOKEN as string;
    const topic = `conformance-${randomUUID().slice(0, 8)}`;
    const config = { server: svc.env.SLUICE_TEST_PULSAR_WEB_URL as string, topic, token: svc.env.SLUICE_TEST_PULSAR_TOKEN as string, send_timeout_secs: 5, connection_timeout_secs: 5 };
    return {
      config,
      wrongCredentials: { config: { ...config, token: `${config.token.slice(0, -4)}AAAA` }, means: 'a token with a wrong signature (HTTP 401 at the producer handshake)' },
      payload: (i) => Buffer.from(`{"v":${i}}`),
      poison: { payload: Buffer.alloc(PULSAR_MAX_MESSAGE_BYTES + 1024, 'x'), means: `a message larger than the broker's maxMessageSize (${PULSAR_MAX_MESSAGE_BYTES} bytes)` },
      async readIds() {
        return (await readTopic(wsBase, `persistent/public/default/${topic}`, admin)).map((m) => m.properties.sluice_id ?? '');
      },
      kill: () => svc.kill(),
      start: () => svc.start(),
      close: () => svc.stop(),
    };
  },
};
