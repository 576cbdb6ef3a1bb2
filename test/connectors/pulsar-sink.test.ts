// The pulsar sink against a real Pulsar standalone broker (harness), read back with a WebSocket
// reader: topics from the template, the payload bytes untouched, key, event time and MQTT metadata
// as properties; the server forms (pulsar:// + web_service_url, http://, ws://, a host list); token, basic and
// OAuth authentication (a local OpenID token endpoint issuing tokens the broker accepts) and their
// refusals; per-topic producers with a small in-flight window; compression; the error kinds (a
// message over maxMessageSize and a frame over max_frame_bytes permanent alone, a missing
// namespace unavailable); and redelivery: a record sent again is stored again, with the same
// sluice_id.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sendError, upgradeError } from '../../src/connectors/pulsar/errors.js';
import { toTopic, webSocketBases } from '../../src/connectors/pulsar/mapping.js';
import { SinkError, type ConnectorSink, type SinkRecord } from '../../src/connectors/sink.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { freePort, pulsarBrokerPid, pulsarToken, PULSAR_MAX_MESSAGE_BYTES, startService, type RunningService } from '../harness/services.js';
import { readTopic } from './conformance/pulsar.js';

const ctx = { tenant: 'default', connectorName: 'pulsar-test', log: () => undefined };
const rec = (id: string, topic: string, payload: Buffer | string, over: Partial<SinkRecord> = {}): SinkRecord => ({
  id, offset: 1, topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: 1_790_000_000_123, ...over,
});

describe('pulsar topic and URL mapping', () => {
  test('a name lands in public/default; persistent:// and non-persistent:// name tenant and namespace; / in the name becomes .', () => {
    assert.deepEqual(toTopic('mqtt-messages'), { name: 'persistent://public/default/mqtt-messages', path: 'persistent/public/default/mqtt-messages' });
    assert.deepEqual(toTopic('persistent://iot/mqtt/plant/boiler 1/temp'), { name: 'persistent://iot/mqtt/plant.boiler 1.temp', path: 'persistent/iot/mqtt/plant.boiler%201.temp' });
    assert.equal((toTopic('non-persistent://t/ns/x') as { name: string }).name, 'non-persistent://t/ns/x');
    assert.equal((toTopic('a/b/c') as { name: string }).name, 'persistent://public/default/a.b.c');
    for (const bad of ['kafka://t/ns/x', 'persistent://t/x', 'persistent://t/n s/x', 'persistent://t/ns/', '']) assert.ok('error' in toTopic(bad), bad);
  });
  test('the WebSocket base URLs: http(s)/ws(s) as given, pulsar:// on port 8080 (pulsar+ssl:// 8443) of the same host, one per listed host', () => {
    assert.deepEqual(webSocketBases('pulsar://broker:6650'), ['ws://broker:8080']);
    assert.deepEqual(webSocketBases('pulsar+ssl://broker:6651'), ['wss://broker:8443']);
    assert.deepEqual(webSocketBases('pulsar://broker:6650', 'http://web:18080'), ['ws://web:18080']);
    assert.deepEqual(webSocketBases('https://gw/pulsar/'), ['wss://gw/pulsar']);
    assert.deepEqual(webSocketBases('ws://127.0.0.1:1234'), ['ws://127.0.0.1:1234']);
    assert.deepEqual(webSocketBases('pulsar://b1:6650, b2:6650,[::1]:6650'), ['ws://b1:8080', 'ws://b2:8080', 'ws://[::1]:8080']);
    assert.deepEqual(webSocketBases('http://w1:8080,w2/prefix'), ['ws://w1:8080/prefix', 'ws://w2/prefix']);
  });
});

describe('pulsar error kinds', () => {
  test('only the message itself is permanent; the broker and the topic are unavailable; other send errors retriable', () => {
    const kind = (msg: string, result = 'send-error:8'): string => sendError(result, msg, 't').kind;
    assert.equal(kind('org.apache.pulsar.client.api.PulsarClientException$InvalidMessageException: The producer p of the topic t sends a message with 200000 bytes that exceeds 131072 bytes'), 'permanent');
    assert.equal(kind("Text 'bad' could not be parsed at index 0", 'send-error:7'), 'permanent');
    assert.equal(kind('org.apache.pulsar.client.api.PulsarClientException$TimeoutException: could not send within given timeout'), 'unavailable');
    assert.equal(kind('org.apache.pulsar.client.api.PulsarClientException$AlreadyClosedException: Producer already closed'), 'unavailable');
    assert.equal(kind('org.apache.pulsar.client.api.PulsarClientException$TopicTerminatedException: terminated'), 'unavailable');
    assert.equal(kind('something new'), 'retriable');
    const up = upgradeError(404, '<html><title>Error 404 Failed to create producer/consumer: {&quot;errorMsg&quot;:&quot;Namespace not found&quot;}</title></html>', 't');
    assert.equal(up.kind, 'unavailable');
    assert.match(up.message, /Namespace not found.*create the tenant\/namespace/);
    assert.match(upgradeError(401, '', 't').message, /refused the credentials/);
  });
});

describe('pulsar sink against a Pulsar standalone broker', () => {
  let svc: RunningService;
  let env: Record<string, string>;
  let base: Record<string, unknown>;
  const sinks: ConnectorSink[] = [];
  const sink = async (over: Record<string, unknown> = {}): Promise<ConnectorSink> => {
    // an override of undefined removes the field (e.g. the token, to try another method)
    const config = Object.fromEntries(Object.entries({ ...base, ...over }).filter(([, v]) => v !== undefined));
    const s = await openSink(parseConnectorType('pulsar'), config, ctx);
    sinks.push(s);
    return s;
  };
  const started = async (over: Record<string, unknown> = {}): Promise<ConnectorSink> => {
    const s = await sink(over);
    await s.init();
    return s;
  };
  const read = (path: string) => readTopic(env.SLUICE_TEST_PULSAR_WS_URL as string, path, env.SLUICE_TEST_PULSAR_ADMIN_TOKEN as string);
  const unique = (): string => `rb-${randomUUID().slice(0, 8)}`;

  before(async () => {
    svc = await startService('pulsar');
    env = svc.env;
    base = { server: env.SLUICE_TEST_PULSAR_WEB_URL, token: env.SLUICE_TEST_PULSAR_TOKEN, send_timeout_secs: 5, connection_timeout_secs: 5 };
  });
  after(async () => {
    for (const s of sinks) await s.cleanup().catch(() => undefined);
    await svc?.stop();
  });

  test('payload bytes, key, event time and every MQTT property read back; topics from the template, one producer each', async () => {
    const t = unique();
    const s = await started({ topic: `persistent://public/default/${t}-\${topic[0]}`, key: '${topic[1]}' });
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const records = [
      rec('id-a1', 'a/dev-1/temp', '{"v":1}', { qos: 2, retain: true, properties: { contentType: 'application/json', payloadFormatIndicator: true, responseTopic: 'reply/here', correlationData: Buffer.from([9, 8, 7]), messageExpiryInterval: 60, userProperties: { unit: 'C', tag: ['x', 'y'] } } }),
      rec('id-b1', 'b/dev-2/temp', binary, { timestamp: 1_790_000_000_456 }),
      rec('id-a2', 'a/dev-3/temp', '中文 payload'),
    ];
    assert.deepEqual(await s.sendBatch(records), { failed: [] });
    const a = await read(`persistent/public/default/${t}-a`);
    const b = await read(`persistent/public/default/${t}-b`);
    assert.deepEqual(a.map((m) => m.properties.sluice_id), ['id-a1', 'id-a2'], 'in order, on the topic its template names');
    assert.deepEqual(b.map((m) => m.properties.sluice_id), ['id-b1']);
    const [a1, a2] = a as [typeof a[0], typeof a[0]];
    assert.equal(a1.payload.toString(), '{"v":1}');
    assert.equal(a2.payload.toString(), '中文 payload');
    assert.deepEqual(b[0]?.payload, binary, 'binary payload untouched');
    assert.equal(a1.key, 'dev-1');
    assert.equal(b[0]?.eventTime, new Date(1_790_000_000_456).toISOString());
    assert.deepEqual(a1.properties, {
      sluice_id: 'id-a1', mqtt_topic: 'a/dev-1/temp', mqtt_qos: '2', mqtt_retain: 'true', mqtt_timestamp: '1790000000123',
      mqtt_content_type: 'application/json', mqtt_payload_format_indicator: '1', mqtt_response_topic: 'reply/here',
      mqtt_correlation_data: Buffer.from([9, 8, 7]).toString('base64'), mqtt_message_expiry_interval: '60',
      mqtt_up_unit: 'C', mqtt_up_tag: '["x","y"]',
    });
    assert.deepEqual(Object.keys(b[0]?.properties ?? {}).sort(), ['mqtt_qos', 'mqtt_retain', 'mqtt_timestamp', 'mqtt_topic', 'sluice_id']);
  });

  test('server forms: pulsar:// with web_service_url, ws://, and a host list whose first host cannot be reached', async () => {
    // the last: a host list whose first host refuses connections (a closed port)
    const closed = `127.0.0.1:${await freePort()}`;
    const hostList = `http://${closed},${(env.SLUICE_TEST_PULSAR_WEB_URL as string).replace('http://', '')}`;
    const forms: [Record<string, unknown>, boolean][] = [
      [{ server: env.SLUICE_TEST_PULSAR_URL, web_service_url: env.SLUICE_TEST_PULSAR_WEB_URL }, false],
      [{ server: env.SLUICE_TEST_PULSAR_WS_URL }, false],
      [{ server: hostList }, false],
      // a templated topic: validate probes the admin API, host by host
      [{ server: hostList }, true],
    ];
    for (const [over, templated] of forms) {
      const t = unique();
      const s = await started({ ...over, topic: templated ? `${t}-\${topic}` : t });
      await s.validate();
      assert.deepEqual(await s.sendBatch([rec('form-1', 'x', 'p')]), { failed: [] });
      assert.deepEqual((await read(`persistent/public/default/${templated ? `${t}-x` : t}`)).map((m) => m.properties.sluice_id), ['form-1']);
    }
    // pulsar:// alone means port 8080 on that host, where nothing listens here
    const s = await sink({ server: env.SLUICE_TEST_PULSAR_URL, topic: unique() });
    await assert.rejects(s.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /127\.0\.0\.1:8080/.test(e.message));
  });

  test('token refused (wrong signature, none at all): init fails as unavailable naming the credentials', async () => {
    const wrong = pulsarToken(Buffer.from('not-the-broker-key-not-the-broker-key'), 'sluice');
    for (const over of [{ token: wrong }, { token: undefined }]) {
      const s = await sink({ ...over, topic: unique() });
      await assert.rejects(s.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /HTTP 401.*refused the credentials/.test(e.message));
      await assert.rejects(s.validate(), /401/);
    }
    // a templated topic: validate checks the credentials against the admin API
    const s = await sink({ token: wrong, topic: '${topic}' });
    await assert.rejects(s.validate(), /refused the credentials/);
  });

  test('basic authentication: the right password writes, a wrong one is refused', async () => {
    const t = unique();
    const good = { token: undefined, basic_name: env.SLUICE_TEST_PULSAR_BASIC_USER, basic_password: env.SLUICE_TEST_PULSAR_BASIC_PASSWORD, topic: t };
    const s = await started(good);
    assert.deepEqual(await s.sendBatch([rec('basic-1', 'x', 'p')]), { failed: [] });
    assert.deepEqual((await read(`persistent/public/default/${t}`)).map((m) => m.properties.sluice_id), ['basic-1']);
    const bad = await sink({ ...good, basic_password: 'wrong' });
    await assert.rejects(bad.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /401/.test(e.message));
  });

  describe('OAuth 2.0 client credentials', () => {
    let idp: Server;
    let issuer: string;
    let grants = 0;
    before(async () => {
      // an identity provider: OpenID discovery and a token endpoint that issues JWTs the broker accepts
      const secret = Buffer.from(env.SLUICE_TEST_PULSAR_TOKEN_SECRET as string, 'base64');
      idp = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => { body += c.toString(); });
        req.on('end', () => {
          if (req.url === '/.well-known/openid-configuration') {
            res.setHeader('content-type', 'application/json');
            return res.end(JSON.stringify({ issuer, token_endpoint: `${issuer}/oauth/token` }));
          }
          const form = new URLSearchParams(body);
          if (req.method !== 'POST' || req.url !== '/oauth/token' || form.get('grant_type') !== 'client_credentials') return res.writeHead(400).end();
          if (form.get('client_id') !== 'sluice-client' || form.get('client_secret') !== 'idp-secret') return res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
          grants++;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ access_token: pulsarToken(secret, `oauth-${form.get('audience') ?? 'none'}`), token_type: 'Bearer', expires_in: 3600 }));
        });
      });
      await new Promise<void>((ok) => idp.listen(0, '127.0.0.1', ok));
      issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((ok) => idp.close(() => ok())));

    test('the access token is fetched once and authenticates the producers; a wrong client secret is unavailable', async () => {
      const t = unique();
      const oauth = (secret: string): string => JSON.stringify({ issuer_url: issuer, client_id: 'sluice-client', client_secret: secret, audience: 'pulsar' });
      const s = await started({ token: undefined, oauth: oauth('idp-secret'), topic: `${t}-\${topic}` });
      assert.deepEqual(await s.sendBatch([rec('oauth-1', 'one', 'p'), rec('oauth-2', 'two', 'p')]), { failed: [] });
      assert.equal(grants, 1, 'one grant for both producers');
      assert.deepEqual((await read(`persistent/public/default/${t}-two`)).map((m) => m.properties.sluice_id), ['oauth-2']);
      const bad = await sink({ token: undefined, oauth: oauth('wrong'), topic: unique() });
      await assert.rejects(bad.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /HTTP 401.*invalid_client/.test(e.message) && !e.message.includes('wrong'));
    });
  });

  test('poison: a message over maxMessageSize and a frame over max_frame_bytes fail alone (permanent); the others arrive', async () => {
    const t = unique();
    const s = await started({ topic: t, max_frame_bytes: 300_000 });
    const batch = [rec('p-0', 'x', 'ok'), rec('p-1', 'x', Buffer.alloc(PULSAR_MAX_MESSAGE_BYTES + 1, 'x')), rec('p-2', 'x', 'ok'), rec('p-3', 'x', Buffer.alloc(250_000, 'y')), rec('p-4', 'x', 'ok')];
    const r = await s.sendBatch(batch);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent'], [3, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /exceeds 131072 bytes/);
    assert.match(r.failed[1]?.error.message ?? '', /max_frame_bytes.*not sent/);
    assert.deepEqual((await read(`persistent/public/default/${t}`)).map((m) => m.properties.sluice_id), ['p-0', 'p-2', 'p-4']);
  });

  test('a small in-flight window (max_pending_messages 2) and lz4 compression: 300 records arrive in order', async () => {
    const t = unique();
    const s = await started({ topic: t, max_pending_messages: 2, compression: 'LZ4' });
    const batch = Array.from({ length: 300 }, (_, i) => rec(`w-${i}`, 'x', `payload ${i} `.repeat(20), { offset: i + 1 }));
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    const got = await read(`persistent/public/default/${t}`);
    assert.deepEqual(got.map((m) => m.properties.sluice_id), batch.map((r) => r.id));
    assert.equal(got[299]?.payload.toString(), 'payload 299 '.repeat(20));
  });

  test('a namespace that does not exist: unavailable for the records of that topic, naming it', async () => {
    const s = await started({ topic: 'persistent://public/${topic}/x' });
    const r = await s.sendBatch([rec('ns-1', 'default', 'ok'), rec('ns-2', 'no-such-ns', 'lost?')]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'unavailable']]);
    assert.match(r.failed[0]?.error.message ?? '', /Namespace not found/);
  });

  test('redelivery: a record sent again is stored again, with the same sluice_id (consumers deduplicate on it)', async () => {
    const t = unique();
    const s = await started({ topic: t });
    const r = rec('again-1', 'x', 'same');
    assert.deepEqual(await s.sendBatch([r]), { failed: [] });
    assert.deepEqual(await s.sendBatch([r]), { failed: [] });
    assert.deepEqual((await read(`persistent/public/default/${t}`)).map((m) => m.properties.sluice_id), ['again-1', 'again-1']);
  });

  test('a frame over the broker\'s own limit (max_frame_bytes set too high): the broker closes the producer, unavailable; the next batch opens it again', async () => {
    const t = unique();
    const s = await started({ topic: t, max_frame_bytes: 4 * 1024 * 1024 });
    assert.deepEqual(await s.sendBatch([rec('cl-1', 'x', 'p')]), { failed: [] });
    // 900 KB of payload is 1.2 MB as base64: more than the broker's webSocketMaxTextFrameSize (1 MiB)
    const r = await s.sendBatch([rec('cl-2', 'x', Buffer.alloc(900_000, 'z'))]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[0, 'unavailable']]);
    assert.match(r.failed[0]?.error.message ?? '', /closed before the broker acked \(code 1009/);
    assert.deepEqual(await s.sendBatch([rec('cl-3', 'x', 'p')]), { failed: [] });
    assert.deepEqual((await read(`persistent/public/default/${t}`)).map((m) => m.properties.sluice_id), ['cl-1', 'cl-3']);
  });

  test('a broker that stops answering (SIGSTOP): no ack within send_timeout_secs is unavailable; answering again, the sink writes again', { timeout: 60_000 }, async () => {
    const t = unique();
    const s = await started({ topic: t, send_timeout_secs: 1 });
    assert.deepEqual(await s.sendBatch([rec('st-1', 'x', 'p')]), { failed: [] });
    const pid = pulsarBrokerPid(env.SLUICE_TEST_PULSAR_DIR as string);
    process.kill(pid, 'SIGSTOP');
    let r;
    const t0 = Date.now();
    try {
      r = await s.sendBatch([rec('st-2', 'x', 'p'), rec('st-3', 'x', 'p')]);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[0, 'unavailable'], [1, 'unavailable']]);
    assert.match(r.failed[0]?.error.message ?? '', /no ack from the broker within 3 s/);
    assert.ok(Date.now() - t0 < 10_000, 'the timeout is send_timeout_secs plus 2 s, not more');
    // the late acks of st-2 and st-3 are dropped; the core would send them again (at least once)
    let ok = false;
    for (let i = 0; i < 40 && !ok; i++) {
      ok = (await s.sendBatch([rec('st-4', 'x', 'p')])).failed.length === 0;
      if (!ok) await new Promise((done) => setTimeout(done, 250));
    }
    assert.ok(ok, 'writes again once the broker answers');
    const ids = (await read(`persistent/public/default/${t}`)).map((m) => m.properties.sluice_id);
    assert.equal(ids[0], 'st-1');
    assert.ok(ids.includes('st-4'));
  });

  test('one batch over more topics than producers are kept (70 > 64): every record is written; the oldest producers close after it', { timeout: 120_000 }, async () => {
    const t = unique();
    const s = await started({ topic: `${t}-\${topic}` });
    const batch = Array.from({ length: 70 }, (_, i) => rec(`many-${i}`, `t${i}`, 'p'));
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.deepEqual(await s.sendBatch(batch.slice(0, 3).map((r) => ({ ...r, id: `${r.id}-again` }))), { failed: [] }, 'a closed producer is opened again');
    for (const i of [0, 69]) assert.deepEqual((await read(`persistent/public/default/${t}-t${i}`)).map((m) => m.properties.sluice_id), i === 0 ? ['many-0', 'many-0-again'] : ['many-69']);
  });
});
