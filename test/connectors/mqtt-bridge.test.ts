// End to end: Sluice in-process between two real Mosquittos (the source broker and the bridge
// target). Checks what arrives at the target, a target restart under discard_after_retry (nothing
// lost) and under discard (drops counted by reason), an unreachable target that comes up later,
// and the loop refusal when the target is the source broker itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { freePort, startService, type RunningService } from '../harness/services.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { Api, assertAccounting, publishNumbered, waitFor } from '../helpers/runtime.js';

let source: RunningService;
let target: RunningService;
let sourceUrl: string;
let targetUrl: string;
let server: TestServer;
let api: Api;
const closers: (() => Promise<unknown>)[] = [];

before(async () => {
  [source, target] = await Promise.all([startService('mosquitto'), startService('mosquitto')]);
  sourceUrl = source.env.SLUICE_TEST_MQTT_URL as string;
  targetUrl = target.env.SLUICE_TEST_MQTT_URL as string;
  // the source broker is a setting (like `sluice serve --mqtt-url`), not in the environment: the
  // loop guard learns it from the runtime
  server = await startTestServer({ mqttUrl: sourceUrl });
  api = new Api(server.url);
});

after(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await server?.cleanup();
  await Promise.all([source?.stop(), target?.stop()]);
});

interface Got {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties?: IPublishPacket['properties'];
}

/** A persistent MQTT 5 subscriber (QoS 2, retain as published) that reconnects through a target restart. */
async function subscriber(url: string, filter: string): Promise<{ got: Got[]; client: MqttClient }> {
  const client = await mqtt.connectAsync(url, { clientId: `sub-${Math.random().toString(16).slice(2, 10)}`, protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 600 }, reconnectPeriod: 200 });
  client.on('error', () => undefined);
  const got: Got[] = [];
  client.on('message', (topic, payload, packet) => got.push({ topic, payload: Buffer.from(payload), qos: packet.qos, retain: packet.retain, properties: packet.properties }));
  await client.subscribeAsync(filter, { qos: 2, rap: true });
  closers.push(() => client.endAsync(true));
  return { got, client };
}

/** Every 5th payload is binary (not UTF-8); the rest JSON. Both carry the sequence number. */
function payloadFor(seq: number): Buffer {
  if (seq % 5 === 0) {
    const b = Buffer.from([0xff, 0xfe, 0, 0, 0, 0, 0x00, 0x80]);
    b.writeUInt32BE(seq, 2);
    return b;
  }
  return Buffer.from(JSON.stringify({ seq, text: 'grüße' }));
}

function seqOfPayload(p: Buffer): number {
  return p[0] === 0xff ? p.readUInt32BE(2) : (JSON.parse(p.toString('utf8')) as { seq: number }).seq;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

async function create(body: Record<string, unknown>): Promise<void> {
  await api.create(body);
  closers.push(() => api.request('DELETE', `/api/v1/connectors/${String(body.name)}`));
}

test('content: 2,000 messages, topics rewritten, payload bytes exact, QoS and retain, MQTT 5 properties carried', async (t) => {
  const N = 2000;
  const sub = await subscriber(targetUrl, 'dst/#');
  await create({
    name: 'content', type: 'mqtt', topic_filter: 'src/#',
    config: { server: targetUrl, topic_prefix: 'dst/', topic_template: '${topic[1]}/${topic[-1]}', qos: 1, retain: true },
    delivery: { batch_size: 500 },
  });
  await api.until('content', 'running', (s) => s.state === 'running');
  const t0 = Date.now();
  const pub = await publishNumbered({ url: sourceUrl, seqs: range(N), topic: (seq) => `src/dev-${seq % 20}/reading`, payload: payloadFor, window: 500 });
  assert.equal(pub.acked.size, N);
  await waitFor(`${N} messages at the target`, () => sub.got.length >= N, { timeoutMs: 60_000, describe: () => sub.got.length });
  const ms = Date.now() - t0;
  t.diagnostic(`${N} messages source → Sluice → target in ${ms} ms (${Math.round((N * 1000) / ms)} msg/s end to end, publishing included)`);
  const seen = new Set<number>();
  for (const g of sub.got) {
    const seq = seqOfPayload(g.payload);
    seen.add(seq);
    assert.equal(g.topic, `dst/dev-${seq % 20}/reading`);
    assert.ok(g.payload.equals(payloadFor(seq)), `payload of ${seq} changed`);
    assert.equal(g.qos, 1);
    assert.equal(g.retain, true);
  }
  assert.equal(seen.size, N);

  // MQTT 5 properties from the source publisher arrive at the target
  const pubClient = await mqtt.connectAsync(sourceUrl, { clientId: 'props-pub', protocolVersion: 5, reconnectPeriod: 0 });
  await pubClient.publishAsync('src/props/one', Buffer.from('with properties'), {
    qos: 1,
    properties: { userProperties: { origin: 'edge-7', tags: ['a', 'b'] }, contentType: 'text/plain', responseTopic: 'reply/here', correlationData: Buffer.from('corr-1'), payloadFormatIndicator: true, messageExpiryInterval: 600 },
  });
  await pubClient.endAsync();
  const withProps = await waitFor('the message with properties', () => sub.got.find((g) => g.topic === 'dst/props/one'));
  const { sluice_id: bridgedId, ...bridgedProps } = { ...withProps.properties?.userProperties };
  assert.deepEqual(bridgedProps, { origin: 'edge-7', tags: ['a', 'b'] });
  assert.match(String(bridgedId), /^[0-9a-f]+-\d+$/, 'the record id (epoch-offset) as user property sluice_id');
  assert.equal(withProps.properties?.contentType, 'text/plain');
  assert.equal(withProps.properties?.responseTopic, 'reply/here');
  assert.equal(Buffer.from(withProps.properties?.correlationData ?? []).toString(), 'corr-1');
  assert.equal(withProps.properties?.payloadFormatIndicator, true);
  assert.ok((withProps.properties?.messageExpiryInterval ?? 0) > 590);

  const s = await api.settled('content', 500);
  assert.equal(s.received, N + 1);
  assert.equal(s.written, N + 1);
  assertAccounting(s);
  await api.request('DELETE', '/api/v1/connectors/content');
});

/** Publishes N paced messages to the source and restarts the target once `restartAt` of them were acknowledged. */
async function publishThroughRestart(topicBase: string, n: number, restartAt: number): Promise<void> {
  let acks = 0;
  let restarting: Promise<void> | undefined;
  const pub = await publishNumbered({
    url: sourceUrl, seqs: range(n), topic: (seq) => `${topicBase}/${seq % 10}`, payload: payloadFor, window: 100,
    pause: { every: 100, ms: 60 },
    onAck: () => {
      if (++acks === restartAt) restarting = target.restart?.();
    },
  });
  assert.equal(pub.acked.size, n);
  assert.ok(restarting, 'the target was not restarted');
  await restarting;
}

test('outage: the target restarts mid-stream under discard_after_retry; the connector waits, nothing is lost or charged', async (t) => {
  const N = 2000;
  const sub = await subscriber(targetUrl, 'out1/#');
  await create({
    name: 'outage-retry', type: 'mqtt', topic_filter: 'o1/#',
    config: { server: targetUrl, topic_prefix: 'out1/', qos: 1 },
    failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 60, wait_time_ms: 250 },
    delivery: { batch_size: 200 },
  });
  await api.until('outage-retry', 'running', (s) => s.state === 'running');
  await publishThroughRestart('o1', N, 600);
  const s = await api.settled('outage-retry', 1000, 60_000);
  assertAccounting(s);
  assert.equal(s.received, N);
  assert.equal(s.written, N);
  assert.equal(s.discarded_total, 0, JSON.stringify(s.discarded));
  assert.equal(s.retries, 0, 'an unavailable target charges no retry');
  assert.ok(s.last_error !== null, 'the restart was not felt: the test did not test an outage');
  t.diagnostic(`last error during the outage: ${s.last_error}`);
  await waitFor(`all ${N} at the target`, () => new Set(sub.got.map((g) => seqOfPayload(g.payload))).size >= N, { timeoutMs: 30_000, describe: () => new Set(sub.got.map((g) => seqOfPayload(g.payload))).size });
  for (const g of sub.got) assert.ok(g.payload.equals(payloadFor(seqOfPayload(g.payload))));
  await api.request('DELETE', '/api/v1/connectors/outage-retry');
});

test('outage: the target restarts mid-stream under discard; an unavailable target drops nothing', async (t) => {
  const N = 2000;
  const sub = await subscriber(targetUrl, 'out2/#');
  await create({
    name: 'outage-discard', type: 'mqtt', topic_filter: 'o2/#',
    config: { server: targetUrl, topic_prefix: 'out2/', qos: 1 },
    failure_strategy: { strategy: 'discard' },
    delivery: { batch_size: 100 },
  });
  await api.until('outage-discard', 'running', (s) => s.state === 'running');
  await publishThroughRestart('o2', N, 600);
  const s = await api.settled('outage-discard', 1000, 60_000);
  assertAccounting(s);
  assert.equal(s.received, N);
  assert.deepEqual([s.written, s.discarded_total, s.retries], [N, 0, 0], JSON.stringify(s));
  assert.match(s.last_error ?? '', /not connected to 127\.0\.0\.1:\d+|connection to 127\.0\.0\.1:\d+ lost|cannot reach/);
  await waitFor(`all ${N} at the target`, () => new Set(sub.got.map((g) => seqOfPayload(g.payload))).size >= N, { timeoutMs: 30_000 });
  t.diagnostic(`written ${s.written}, ${sub.got.length - N} duplicates at the target`);
  await api.request('DELETE', '/api/v1/connectors/outage-discard');
});

test('bad config: an unreachable target makes the connector wait with a clear last_error; it recovers when the target comes up', async () => {
  const port = await freePort();
  await create({ name: 'late', type: 'mqtt', topic_filter: 'late/#', config: { server: `mqtt://127.0.0.1:${port}`, topic_prefix: 'bridged/', connect_timeout_secs: 2 } });
  const err = await api.until('late', 'waiting state', (s) => s.state === 'waiting' && s.last_error !== null);
  assert.match(err.last_error ?? '', new RegExp(`^mqtt sink: cannot reach 127\\.0\\.0\\.1:${port}: ECONNREFUSED \\(nothing listens there\\)$`));
  const N = 100;
  const pub = await publishNumbered({ url: sourceUrl, seqs: range(N), topic: () => 'late/x', payload: payloadFor });
  assert.equal(pub.acked.size, N);
  await api.until('late', `${N} pending`, (s) => s.received === N && s.pending === N);
  const late = await startService('mosquitto', { port });
  closers.push(() => late.stop());
  const sub = await subscriber(late.env.SLUICE_TEST_MQTT_URL as string, 'bridged/#');
  const s = await api.until('late', 'running and all written', (x) => x.state === 'running' && x.written === N, 60_000);
  assertAccounting(s);
  await waitFor(`${N} at the late target`, () => sub.got.length >= N);
  assert.deepEqual(new Set(sub.got.map((g) => seqOfPayload(g.payload))).size, N);
  await api.request('DELETE', '/api/v1/connectors/late');
});

test('loop: target = source broker with the topic unchanged is refused; with a prefix it runs and does not loop', async () => {
  const sameBroker = sourceUrl.replace('127.0.0.1', 'localhost');
  await create({ name: 'loop', type: 'mqtt', topic_filter: 'loop/#', config: { server: sameBroker } });
  const err = await api.until('loop', 'error state', (s) => s.state === 'error' && s.last_error !== null);
  assert.match(err.last_error ?? '', /^mqtt sink: refusing a loop: target localhost:\d+ is also Sluice's source broker \(the broker this connector subscribes on\)/);
  const sub = await subscriber(sourceUrl, 'looped/#');
  const r = await api.request('PATCH', '/api/v1/connectors/loop', { config: { topic_prefix: 'looped/' } });
  assert.equal(r.status, 200, r.text);
  await api.until('loop', 'running', (s) => s.state === 'running');
  const pub = await publishNumbered({ url: sourceUrl, seqs: range(10), topic: () => 'loop/a', payload: payloadFor });
  assert.equal(pub.acked.size, 10);
  await waitFor('10 bridged back into the source broker', () => sub.got.length >= 10);
  assert.ok(sub.got.every((g) => g.topic === 'looped/loop/a'));
  const s = await api.settled('loop', 800);
  assert.equal(s.received, 10, 'the bridged messages came back to the connector');
  assert.equal(s.written, 10);
  assertAccounting(s);
});
