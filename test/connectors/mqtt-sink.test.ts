// The mqtt bridge sink against real Mosquitto brokers (test/harness): what arrives at the target
// (topics, payload bytes, QoS, retain, MQTT 5 properties), per-record refusals, fail-fast while
// disconnected, a connection cut with acks outstanding, validate()'s messages, the loop guard.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { sinkConfig } from '../../src/metadata/config-validation.js';
import { createMqttSink } from '../../src/connectors/mqtt/sink.js';
import { SinkError, type ConnectorSink, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { mqttType } from '../../src/metadata/configs/mqtt.js';
import { ensureOpenssl, startService, type RunningService } from '../harness/services.js';
import { ensureInstalled, firstExisting, freePort, makeTempDir, managed, spawnServer, tcpAccepts, waitUntil } from '../harness/services/common.js';
import { waitFor } from '../helpers/runtime.js';

const logs: string[] = [];
const ctx = (name = 'bridge-test'): SinkContext => ({ tenant: 'default', connectorName: name, log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`) });
const NO_SOURCE = { SLUICE_MQTT_URL: 'mqtt://source.invalid:1883' };

let target: RunningService;
let targetUrl: string;
let targetPort: number;
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  target = await startService('mosquitto');
  targetUrl = target.env.SLUICE_TEST_MQTT_URL as string;
  targetPort = Number(target.env.SLUICE_TEST_MQTT_PORT);
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await target?.stop();
});

interface Got {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties?: IPublishPacket['properties'];
}

/** An MQTT 5 subscriber on the target: QoS 2 (so the delivered QoS is the published one), retain as published. */
async function subscriber(url: string, filter = '#'): Promise<{ got: Got[]; client: MqttClient }> {
  const client = await mqtt.connectAsync(url, { clientId: `sub-${Math.random().toString(16).slice(2, 10)}`, protocolVersion: 5, reconnectPeriod: 0 });
  const got: Got[] = [];
  client.on('message', (topic, payload, packet) => got.push({ topic, payload: Buffer.from(payload), qos: packet.qos, retain: packet.retain, properties: packet.properties }));
  await client.subscribeAsync(filter, { qos: 2, rap: true });
  cleanups.push(() => client.endAsync(true).then(() => undefined));
  return { got, client };
}

let sinks = 0;
/** An initialised sink; each gets its own connector name, so its client id (a broker keeps one connection per id) */
async function started(over: Record<string, unknown>, opts: { name?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ConnectorSink> {
  const sink = createMqttSink(sinkConfig(mqttType, { server: targetUrl, ...over }), ctx(opts.name ?? `sink-${++sinks}`), { env: opts.env ?? NO_SOURCE });
  await sink.init();
  cleanups.push(() => sink.cleanup());
  return sink;
}

let offset = 0;
function rec(topic: string, payload: Buffer | string, properties?: SinkRecord['properties']): SinkRecord {
  offset += 1;
  return { id: `e-${offset}`, offset, topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: 1, retain: false, timestamp: Date.now(), ...(properties ? { properties } : {}) };
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('content', () => {
  test('topics rewritten, payload bytes exact, QoS 2, retain and MQTT 5 properties carried', async () => {
    const sub = await subscriber(targetUrl, 'c1/#');
    const sink = await started({ topic_prefix: 'c1/', topic_template: '${topic[1]}/${topic}', qos: 2, retain: true, client_id_prefix: 'c1' });
    const props = { contentType: 'application/octet-stream', payloadFormatIndicator: false, responseTopic: 'replies/7', correlationData: Buffer.from([1, 2, 3]), userProperties: { site: 'hall-a', tag: ['x', 'y'] }, messageExpiryInterval: 3600 };
    const batch = [rec('sensors/dev-7/temp', '{"t":21.5}'), rec('sensors/dev-8/img', ALL_BYTES, props), rec('sensors/dev-9/empty', Buffer.from('ünï ✓'))];
    assert.deepEqual(await sink.sendBatch(batch), { failed: [] });
    await waitFor('3 messages at the target', () => sub.got.length >= 3);
    const byTopic = new Map(sub.got.map((g) => [g.topic, g]));
    assert.deepEqual([...byTopic.keys()].sort(), ['c1/dev-7/sensors/dev-7/temp', 'c1/dev-8/sensors/dev-8/img', 'c1/dev-9/sensors/dev-9/empty']);
    const img = byTopic.get('c1/dev-8/sensors/dev-8/img') as Got;
    assert.ok(img.payload.equals(ALL_BYTES), 'binary payload changed');
    assert.equal(img.qos, 2);
    assert.equal(img.retain, true);
    assert.equal(img.properties?.contentType, 'application/octet-stream');
    assert.equal(img.properties?.payloadFormatIndicator, false);
    assert.equal(img.properties?.responseTopic, 'replies/7');
    assert.deepEqual([...(img.properties?.correlationData ?? [])], [1, 2, 3]);
    const { sluice_id: imgId, ...imgProps } = { ...img.properties?.userProperties };
    assert.deepEqual(imgProps, { site: 'hall-a', tag: ['x', 'y'] });
    assert.match(String(imgId), /^e-\d+$/, 'the record id as user property sluice_id');
    const expiry = img.properties?.messageExpiryInterval ?? 0;
    assert.ok(expiry > 3590 && expiry <= 3600, `expiry ${expiry}`);
    assert.equal(byTopic.get('c1/dev-7/sensors/dev-7/temp')?.payload.toString(), '{"t":21.5}');
    assert.equal(byTopic.get('c1/dev-9/sensors/dev-9/empty')?.payload.toString(), 'ünï ✓');
    assert.deepEqual(Object.keys({ ...byTopic.get('c1/dev-7/sensors/dev-7/temp')?.properties?.userProperties }), ['sluice_id'], 'only the record id');
    // retained on the target: a later subscriber gets it
    const late = await subscriber(targetUrl, 'c1/dev-8/#');
    await waitFor('the retained message', () => late.got.length >= 1);
    assert.ok(late.got[0]?.payload.equals(ALL_BYTES));
    assert.equal(late.got[0]?.retain, true);
  });

  test('QoS 0 to an MQTT 3.1.1 target and QoS 1 to an MQTT 3.1 target; no properties there', async () => {
    const sub = await subscriber(targetUrl, 'c2/#');
    const v4 = await started({ topic_prefix: 'c2/v4/', qos: 0, protocol_version: 'v4' }, { name: 'v4' });
    const v3 = await started({ topic_prefix: 'c2/v3/', qos: 1, protocol_version: 'v3' }, { name: 'v3' });
    const props = { userProperties: { a: 'b' }, contentType: 'text/plain' };
    assert.deepEqual(await v4.sendBatch([rec('a', 'zero', props)]), { failed: [] });
    assert.deepEqual(await v3.sendBatch([rec('a', ALL_BYTES, props)]), { failed: [] });
    await waitFor('2 messages', () => sub.got.length >= 2);
    const v4Got = sub.got.find((g) => g.topic === 'c2/v4/a');
    const v3Got = sub.got.find((g) => g.topic === 'c2/v3/a');
    assert.equal(v4Got?.qos, 0);
    assert.equal(v4Got?.payload.toString(), 'zero');
    assert.equal(v4Got?.properties?.userProperties, undefined);
    assert.equal(v3Got?.qos, 1);
    assert.ok(v3Got?.payload.equals(ALL_BYTES));
    assert.equal(v3Got?.retain, false);
  });

  test('a record whose target topic is invalid fails alone, permanently', async () => {
    const sub = await subscriber(targetUrl, 'c3/#');
    const sink = await started({ topic_prefix: 'c3/', topic_template: '${topic[2]}' });
    const r = await sink.sendBatch([rec('a/b/c', '1'), rec('a/b', '2'), rec('x/y/z', '3')]);
    assert.equal(r.failed.length, 1);
    assert.equal(r.failed[0]?.index, 1);
    assert.equal(r.failed[0]?.error.kind, 'permanent');
    assert.match(r.failed[0]?.error.message ?? '', /\$\{topic\[2\]\} has no value for the message on "a\/b"/);
    await waitFor('2 messages', () => sub.got.length >= 2);
    assert.deepEqual(sub.got.map((g) => g.topic).sort(), ['c3/c', 'c3/z']);
  });

  test('1,000 records in one batch, all acknowledged', async (t) => {
    const sub = await subscriber(targetUrl, 'c4/#');
    const sink = await started({ topic_prefix: 'c4/' });
    const batch = Array.from({ length: 1000 }, (_, i) => rec(`n/${i % 10}`, String(i)));
    const t0 = performance.now();
    assert.deepEqual(await sink.sendBatch(batch), { failed: [] });
    const ms = performance.now() - t0;
    await waitFor('1000 messages', () => sub.got.length >= 1000);
    assert.deepEqual(new Set(sub.got.map((g) => Number(g.payload.toString()))).size, 1000);
    t.diagnostic(`1000-record QoS 1 batch acknowledged in ${ms.toFixed(0)} ms`);
  });
});

describe('connection', () => {
  test('while the target is down a batch fails at once (retriable, nothing queued); it reconnects by itself', async () => {
    const own = await startService('mosquitto');
    cleanups.push(() => own.stop());
    const url = own.env.SLUICE_TEST_MQTT_URL as string;
    const port = own.env.SLUICE_TEST_MQTT_PORT as string;
    const sink = createMqttSink(sinkConfig(mqttType, { server: url, topic_prefix: 'd1/' }), ctx('down'), { env: NO_SOURCE });
    await sink.init();
    cleanups.push(() => sink.cleanup());
    assert.deepEqual(await sink.sendBatch([rec('before', 'b')]), { failed: [] });
    const restarting = own.restart?.();
    await waitFor('the sink sees the target gone', async () => {
      try {
        await sink.sendBatch([rec('probe', 'p')]);
        return false;
      } catch {
        return true;
      }
    }, { intervalMs: 20 });
    const t0 = Date.now();
    await assert.rejects(sink.sendBatch([rec('during', 'lost-if-queued')]), (e: unknown) => {
      assert.ok(e instanceof SinkError);
      assert.equal(e.kind, 'unavailable');
      assert.match(e.message, new RegExp(`^not connected to 127\\.0\\.0\\.1:${port}`));
      return true;
    });
    assert.ok(Date.now() - t0 < 200, 'did not fail fast');
    await restarting;
    const sub = await subscriber(url, 'd1/#');
    await waitFor('a batch passes again', async () => {
      try {
        return (await sink.sendBatch([rec('after', 'a')])).failed.length === 0;
      } catch {
        return false;
      }
    }, { timeoutMs: 20_000, intervalMs: 100 });
    await waitFor('the new message', () => sub.got.some((g) => g.topic === 'd1/after'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sub.got.filter((g) => g.topic === 'd1/during').length, 0, 'a record failed while offline was published later');
    assert.ok(logs.some((l) => l.startsWith('warn mqtt sink disconnected')), 'disconnect not logged');
    assert.ok(logs.some((l) => l.startsWith('info mqtt sink reconnected')), 'reconnect not logged');
  });

  test('a connection cut with acks outstanding fails those records unavailable, and mqtt.js does not resend them', async () => {
    const proxy = await tcpProxy(targetPort);
    const sub = await subscriber(targetUrl, 'd2/#');
    const sink = await started({ server: `mqtt://127.0.0.1:${proxy.port}`, topic_prefix: 'd2/', qos: 1, keepalive_secs: 300 }, { name: 'cut' });
    assert.deepEqual(await sink.sendBatch([rec('warm', 'w')]), { failed: [] });
    proxy.holdReplies = true; // PUBACKs are swallowed from now on
    const n = 300;
    const sending = sink.sendBatch(Array.from({ length: n }, (_, i) => rec(`x/${i}`, String(i))));
    await waitFor(`${n} messages reached the target`, () => sub.got.filter((g) => g.topic.startsWith('d2/x/')).length >= n);
    proxy.cut();
    const r = await sending;
    assert.equal(r.failed.length, n);
    for (const f of r.failed) {
      assert.equal(f.error.kind, 'unavailable');
      assert.match(f.error.message, new RegExp(`connection to 127\\.0\\.0\\.1:${proxy.port} lost before the broker acknowledged the message`));
    }
    proxy.release();
    await waitFor('a batch passes again', async () => {
      try {
        return (await sink.sendBatch([rec('again', 'a')])).failed.length === 0;
      } catch {
        return false;
      }
    }, { timeoutMs: 20_000 });
    await new Promise((r2) => setTimeout(r2, 300));
    assert.equal(sub.got.filter((g) => g.topic.startsWith('d2/x/')).length, n, 'mqtt.js resent the unacknowledged publishes');
  });

  test('a server DISCONNECT "session taken over" is reported with the client id (as EMQX/HiveMQ send it)', async () => {
    logs.length = 0;
    const proxy = await tcpProxy(targetPort);
    const sink = await started({ server: `mqtt://127.0.0.1:${proxy.port}` }, { name: 'dup' });
    proxy.toClients(Buffer.from([0xe0, 0x02, 0x8e, 0x00])); // DISCONNECT, reason 0x8E, no properties
    await waitFor('the takeover logged', () => logs.some((l) => l.includes('sent DISCONNECT: Session taken over (reason code 0x8e); another client connected with the client id sluice_dup, which must be unique on the target')));
    proxy.cut(); // the broker closes the connection after its DISCONNECT
    await waitFor('a batch fails with the reason', () => sink.sendBatch([rec('x', 'y')]).then(() => false, (e: Error) => /^not connected to 127\.0\.0\.1:\d+ \(.*Session taken over/.test(e.message)), { intervalMs: 20 });
  });

  test('validate: passes for a reachable target, names host:port and the reason otherwise', async () => {
    await createMqttSink(sinkConfig(mqttType, { server: targetUrl }), ctx(), { env: NO_SOURCE }).validate();
    const closed = await freePort();
    await assert.rejects(createMqttSink(sinkConfig(mqttType, { server: `mqtt://127.0.0.1:${closed}` }), ctx(), { env: NO_SOURCE }).validate(), new RegExp(`^Error: mqtt sink: cannot reach 127\\.0\\.0\\.1:${closed}: ECONNREFUSED \\(nothing listens there\\)$`));
    // a listener that never answers CONNECT
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as { port: number }).port;
    const t0 = Date.now();
    await assert.rejects(createMqttSink(sinkConfig(mqttType, { server: `mqtt://127.0.0.1:${silentPort}`, connect_timeout_secs: 1 }), ctx(), { env: NO_SOURCE }).validate(), /cannot reach 127\.0\.0\.1:\d+: no answer to CONNECT within 1 s/);
    assert.ok(Date.now() - t0 < 3000);
    silent.close();
  });
});

describe('authentication and authorisation (Mosquitto with a password file and an ACL)', () => {
  let authUrl: string;
  before(async () => {
    const svc = await startAuthMosquitto();
    cleanups.push(() => svc.stop());
    authUrl = svc.url;
  });

  test('bad credentials: the CONNACK refusal, for v5 and v4', async () => {
    const port = new URL(authUrl).port;
    await assert.rejects(createMqttSink(sinkConfig(mqttType, { server: authUrl, username: 'alice', password: 'wrong' }), ctx(), { env: NO_SOURCE }).validate(), (e: Error) => {
      assert.equal(e.message, `mqtt sink: 127.0.0.1:${port} refused the connection: Not authorized (CONNACK code 135); check username, password and the broker ACL`);
      assert.ok(!e.message.includes('wrong'));
      return true;
    });
    await assert.rejects(createMqttSink(sinkConfig(mqttType, { server: authUrl, protocol_version: 'v4' }), ctx(), { env: NO_SOURCE }).validate(), /refused the connection: Not authorized \(CONNACK code 5\)/);
    await createMqttSink(sinkConfig(mqttType, { server: authUrl, username: 'alice', password: 'wonder land' }), ctx(), { env: NO_SOURCE }).validate();
  });

  test('a publish the broker refuses as not authorized (PUBACK 0x87) fails that record only, as unavailable (an operator fixes the ACL)', async () => {
    const sub = await subscriber(authUrl.replace('mqtt://', 'mqtt://alice:wonder%20land@'), '#');
    const sink = await started({ server: authUrl, username: 'alice', password: 'wonder land', topic_prefix: '' }, { name: 'acl' });
    const r = await sink.sendBatch([rec('allowed/1', 'a'), rec('denied/1', 'b'), rec('allowed/2', 'c')]);
    assert.equal(r.failed.length, 1);
    assert.equal(r.failed[0]?.index, 1);
    assert.equal(r.failed[0]?.error.kind, 'unavailable');
    assert.match(r.failed[0]?.error.message ?? '', /refused the publish to "denied\/1": Not authorized \(reason code 0x87\); check username, password and the broker ACL/);
    await waitFor('2 messages', () => sub.got.length >= 2);
    assert.deepEqual(sub.got.map((g) => g.topic).sort(), ['allowed/1', 'allowed/2']);
  });

  test('the target Receive Maximum (5) bounds the publishes in flight', async () => {
    const port = Number(new URL(authUrl).port);
    const proxy = await tcpProxy(port);
    const sub = await subscriber(authUrl.replace('mqtt://', 'mqtt://alice:wonder%20land@'), 'allowed/w/#');
    const sink = await started({ server: `mqtt://127.0.0.1:${proxy.port}`, username: 'alice', password: 'wonder land' }, { name: 'window' });
    proxy.holdReplies = true; // PUBACKs are held back: only the first window can be sent
    const sending = sink.sendBatch(Array.from({ length: 40 }, (_, i) => rec(`allowed/w/${i}`, String(i))));
    await waitFor('5 messages', () => sub.got.length >= 5);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(sub.got.length, 5, 'more than Receive Maximum publishes were in flight');
    proxy.release();
    assert.deepEqual(await sending, { failed: [] });
    await waitFor('40 messages', () => sub.got.length >= 40);
    assert.deepEqual(sub.got.map((g) => g.topic), Array.from({ length: 40 }, (_, i) => `allowed/w/${i}`));
  });
});

describe('TLS (Mosquitto with a self-signed certificate)', () => {
  let port: string;
  let ca: string;
  before(async () => {
    const svc = await startTlsMosquitto();
    cleanups.push(() => svc.stop());
    port = new URL(svc.url).port;
    ca = await readFile(join(svc.dir, 'cert.pem'), 'utf8');
  });

  test('enable_tls turns mqtt:// into TLS; the CA verifies the server', async () => {
    const sink = await started({ server: `mqtt://127.0.0.1:${port}`, enable_tls: true, tls_ca: ca }, { name: 'tls' });
    assert.deepEqual(await sink.sendBatch([rec('tls/1', ALL_BYTES)]), { failed: [] });
  });

  test('an unknown certificate fails validate with a TLS message; tls_insecure_skip_verify passes', async () => {
    await assert.rejects(createMqttSink(sinkConfig(mqttType, { server: `mqtts://127.0.0.1:${port}` }), ctx(), { env: NO_SOURCE }).validate(), new RegExp(`^Error: mqtt sink: TLS with 127\\.0\\.0\\.1:${port} failed: self.signed certificate`));
    await createMqttSink(sinkConfig(mqttType, { server: `mqtts://127.0.0.1:${port}`, tls_insecure_skip_verify: true }), ctx(), { env: NO_SOURCE }).validate();
    // plain MQTT against the TLS listener: no CONNACK ever comes
    await assert.rejects(createMqttSink(sinkConfig(mqttType, { server: `mqtt://127.0.0.1:${port}`, connect_timeout_secs: 1 }), ctx(), { env: NO_SOURCE }).validate(), /^Error: mqtt sink: (cannot reach|connection to) 127\.0\.0\.1:\d+/);
  });
});

describe('loop guard and lifecycle', () => {
  test('target = source broker and topic = source topic: validate refuses with a clear message', async () => {
    const env = { SLUICE_MQTT_URL: targetUrl.replace('127.0.0.1', 'localhost') };
    await assert.rejects(createMqttSink(sinkConfig(mqttType, { server: targetUrl }), ctx(), { env }).validate(), (e: Error) => {
      assert.match(e.message, /^mqtt sink: refusing a loop: target 127\.0\.0\.1:\d+ is also Sluice's source broker \(SLUICE_MQTT_URL\)/);
      assert.match(e.message, /Set topic_prefix/);
      return true;
    });
  });

  test('target = source broker with a prefix: runs, with a warning at init', async () => {
    logs.length = 0;
    // (validate first: it connects with the same client id, which would take over a running sink's connection)
    await createMqttSink(sinkConfig(mqttType, { server: targetUrl, topic_prefix: 'bridged/' }), ctx('same-broker'), { env: { SLUICE_MQTT_URL: targetUrl } }).validate();
    const sink = await started({ topic_prefix: 'bridged/' }, { name: 'same-broker', env: { SLUICE_MQTT_URL: targetUrl } });
    assert.ok(logs.some((l) => l.startsWith('warn mqtt sink: target 127.0.0.1:') && l.includes('received again if the connector\'s topic filter matches them')), logs.join('\n'));
    assert.deepEqual(await sink.sendBatch([rec('x', 'y')]), { failed: [] });
  });

  test('the registered loader builds a working sink; cleanup twice is safe; after cleanup a batch is refused (not started)', async () => {
    assert.ok(mqttType.loadSink);
    const factory = await mqttType.loadSink();
    const sink = factory.createSink({ server: targetUrl, client_id_prefix: 'loader', protocol_version: 'v5', keepalive_secs: 60, connect_timeout_secs: 5, topic_prefix: 'l/', topic_template: '${topic}', qos: 1, retain: false, max_retries: 3, enable_tls: false, tls_insecure_skip_verify: false }, ctx('loader'));
    await sink.init();
    assert.deepEqual(await sink.sendBatch([rec('x', 'y')]), { failed: [] });
    await sink.cleanup();
    await sink.cleanup();
    await assert.rejects(sink.sendBatch([rec('x', 'y')]), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /not started/.test(e.message));
  });
});

// ---- helpers -------------------------------------------------------------------------------

interface Proxy {
  port: number;
  /** while true, bytes from the broker are held back (acks do not arrive) */
  holdReplies: boolean;
  /** sends what was held back and stops holding */
  release(): void;
  /** destroys every connection (what was held back is lost) */
  cut(): void;
  /** writes bytes to every client, as if the broker sent them */
  toClients(bytes: Buffer): void;
}

/** A TCP proxy to 127.0.0.1:upstreamPort that can swallow the broker's replies and cut every connection. */
async function tcpProxy(upstreamPort: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  const held: [Socket, Buffer][] = [];
  const proxy: Proxy = {
    port: 0,
    holdReplies: false,
    release: () => {
      proxy.holdReplies = false;
      for (const [s, d] of held.splice(0)) s.write(d);
    },
    toClients: (bytes) => {
      for (const s of clients) s.write(bytes);
    },
    cut: () => {
      held.length = 0;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(upstreamPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      if (proxy.holdReplies) held.push([client, d]);
      else client.write(d);
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.port = (server.address() as { port: number }).port;
  cleanups.push(async () => {
    proxy.cut();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return proxy;
}

/** A Mosquitto of our own: `setup(dir)` writes extra files and returns extra config lines. */
async function startCustomMosquitto(setup: (dir: string, port: number) => Promise<string[]>): Promise<RunningService & { url: string; dir: string }> {
  const bin = await ensureInstalled('mosquitto', () => firstExisting(['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']));
  const port = await freePort();
  const dir = await makeTempDir('mosquitto');
  const lines = [`listener ${port} 127.0.0.1`, ...(await setup(dir, port)), 'log_dest stdout'];
  if (process.getuid?.() === 0) lines.push('user root'); // else it drops to "mosquitto", who cannot read the dir
  await writeFile(join(dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
  const launch = async () => {
    const proc = spawnServer(bin, ['-c', join(dir, 'mosquitto.conf')], join(dir, 'mosquitto.log'));
    await waitUntil(`custom mosquitto on 127.0.0.1:${port}`, proc, () => tcpAccepts(port), { timeoutMs: 20_000, intervalMs: 50 });
    return proc;
  };
  const svc = await managed('mosquitto', dir, {}, launch);
  return { ...svc, url: `mqtt://127.0.0.1:${port}`, dir };
}

/** Mosquitto with a password file (alice / "wonder land"), an ACL (alice writes allowed/#, reads #) and Receive Maximum 5. */
async function startAuthMosquitto(): Promise<RunningService & { url: string }> {
  const passwd = await firstExisting(['/usr/bin/mosquitto_passwd', '/usr/sbin/mosquitto_passwd', '/usr/local/bin/mosquitto_passwd']);
  assert.ok(passwd, 'mosquitto_passwd not found (it comes with the mosquitto package)');
  return startCustomMosquitto(async (dir) => {
    await writeFile(join(dir, 'pw'), '');
    execFileSync(passwd, ['-b', join(dir, 'pw'), 'alice', 'wonder land']);
    await writeFile(join(dir, 'acl'), 'user alice\ntopic write allowed/#\ntopic read #\n');
    return ['allow_anonymous false', `password_file ${dir}/pw`, `acl_file ${dir}/acl`, 'max_inflight_messages 5'];
  });
}

/** Mosquitto with a TLS listener whose self-signed certificate (CN and SAN 127.0.0.1) is in `cert.pem`. */
async function startTlsMosquitto(): Promise<RunningService & { url: string; dir: string }> {
  const openssl = await ensureOpenssl();
  return startCustomMosquitto(async (dir) => {
    execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return ['allow_anonymous true', `certfile ${dir}/cert.pem`, `keyfile ${dir}/key.pem`];
  });
}

describe('ws:// target (aedes behind a WebSocket server: Mosquitto here is built without websockets)', () => {
  test('records go over MQTT-over-WebSocket, QoS 1 acknowledged, and arrive as published', { timeout: 60_000 }, async () => {
    const broker = await Aedes.createBroker();
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (socket) => broker.handle(createWebSocketStream(socket) as unknown as Parameters<typeof broker.handle>[0]));
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => broker.close(() => resolve()))));
    const address = wss.address();
    const url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const sub = await mqtt.connectAsync(url, { clientId: 'ws-sub', protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => sub.endAsync(true).then(() => undefined));
    const got: { topic: string; payload: string; qos: number }[] = [];
    sub.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), qos: packet.qos }));
    await sub.subscribeAsync('ws/#', { qos: 1 });

    const sink = await started({ server: url, protocol_version: 'v4', qos: 1 });
    const records = Array.from({ length: 20 }, (_, i) => rec(`ws/${i % 3}`, `m${i}`));
    assert.deepEqual(await sink.sendBatch(records), { failed: [] });
    await waitFor('20 messages over ws', () => got.length >= 20);
    assert.deepEqual(got.map((g) => g.payload), records.map((r) => r.payload.toString()));
    assert.deepEqual(got.map((g) => g.topic), records.map((r) => r.topic));
    assert.ok(got.every((g) => g.qos === 1));
  });
});
