// Integration tests of the rabbitmq sink against a real RabbitMQ 3.10 broker: what arrives is
// consumed back with amqplib and its body, properties and headers checked; each kind of outcome
// (ack, nack, return, a channel the broker closes, a message over the broker's size limit) is
// produced by the broker itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { SinkError, type ConnectorSink, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { rabbitmqType } from '../../src/metadata/configs/rabbitmq.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { startService, type RunningService } from '../harness/services.js';

const ctx: SinkContext = { tenant: 'default', connectorName: 'rabbitmq-test', log: () => undefined };
const MAX_MESSAGE = 65_536;

let svc: RunningService;
let port: number;
let admin: ChannelModel;
let ch: Channel;
const opened: ConnectorSink[] = [];

before(async () => {
  svc = await startService('rabbitmq', { extraConfig: [`max_message_size = ${MAX_MESSAGE}`] });
  port = Number(svc.env.SLUICE_TEST_RABBITMQ_PORT);
  admin = await connect({ hostname: '127.0.0.1', port, username: 'guest', password: 'guest' });
  ch = await admin.createChannel();
});

after(async () => {
  for (const s of opened) await s.cleanup().catch(() => undefined);
  await admin?.close().catch(() => undefined);
  await svc?.stop();
});

let seq = 0;
function rec(payload: Buffer | string, over: Partial<SinkRecord> = {}): SinkRecord {
  seq += 1;
  return { id: `rid-${seq}`, offset: seq, topic: 'sensors/hall-a/temp', payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: 1_790_000_000_123 + seq, ...over };
}

async function sink(config: Record<string, unknown>): Promise<ConnectorSink> {
  const s = await openSink(rabbitmqType, { server: '127.0.0.1', port, username: 'guest', password: 'guest', ...config }, ctx);
  opened.push(s);
  return s;
}

/** A durable exchange of `type` with a fresh durable queue bound by `pattern`. */
async function setup(name: string, type: string, pattern: string, queueArgs: Record<string, unknown> = {}): Promise<void> {
  await ch.assertExchange(name, type, { durable: true });
  await ch.assertQueue(name, { durable: true, arguments: queueArgs });
  await ch.bindQueue(name, name, pattern);
}

/** Consumes `n` messages of the queue (acking them). */
async function consume(queue: string, n: number): Promise<ConsumeMessage[]> {
  const got: ConsumeMessage[] = [];
  const c = await admin.createChannel();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${queue}: ${got.length} of ${n} messages`)), 10_000);
      void c.consume(queue, (m) => {
        if (!m) return;
        got.push(m);
        c.ack(m);
        if (got.length === n) { clearTimeout(timer); resolve(); }
      });
    });
  } finally {
    await c.close().catch(() => undefined);
  }
  return got;
}

test('body, properties and headers: raw payload, message_id = record id, timestamp, content_type, persistent', async () => {
  await setup('props', 'topic', 'sensors.*.temp');
  const s = await sink({ exchange: 'props' });
  await s.init();
  const binary = Buffer.from([0xff, 0x00, 0x7b]);
  const plain = rec('{"t": 21.5}');
  const withProps = rec(binary, { qos: 2, retain: true, properties: { contentType: 'application/octet-stream', responseTopic: 'replies/1', correlationData: Buffer.from('c-1'), userProperties: { site: 'hall a', tag: ['x', 'y'] }, messageExpiryInterval: 60, payloadFormatIndicator: false } });
  assert.deepEqual(await s.sendBatch([plain, withProps]), { failed: [] });
  const [a, b] = await consume('props', 2) as [ConsumeMessage, ConsumeMessage];
  assert.equal(a.content.toString(), '{"t": 21.5}');
  assert.equal(a.fields.routingKey, 'sensors.hall-a.temp', 'unset routing_key: the topic with / as .');
  assert.equal(a.properties.messageId, plain.id);
  assert.equal(a.properties.timestamp, Math.floor(plain.timestamp / 1000));
  assert.equal(a.properties.deliveryMode, 2);
  assert.equal(a.properties.contentType, undefined);
  assert.deepEqual(a.properties.headers, { mqtt_topic: plain.topic, mqtt_qos: 1, mqtt_retain: false, mqtt_timestamp_ms: plain.timestamp });
  assert.ok(b.content.equals(binary));
  assert.equal(b.properties.messageId, withProps.id);
  assert.equal(b.properties.contentType, 'application/octet-stream');
  assert.equal(b.properties.replyTo, 'replies/1');
  assert.equal(b.properties.expiration, '60000');
  const h = b.properties.headers as Record<string, unknown>;
  assert.equal(h.mqtt_qos, 2);
  assert.equal(h.mqtt_retain, true);
  assert.equal(h.mqtt_payload_format_indicator, false);
  assert.ok(Buffer.from(h.mqtt_correlation_data as Buffer).equals(Buffer.from('c-1')));
  assert.deepEqual(h.mqtt_user_properties, { site: 'hall a', tag: ['x', 'y'] });
});

test('routing_key template and NonPersistent delivery', async () => {
  await setup('rk', 'direct', 'dev.hall-a');
  const s = await sink({ exchange: 'rk', routing_key: 'dev.${topic[1]}', delivery_mode: 'NonPersistent' });
  await s.init();
  assert.deepEqual(await s.sendBatch([rec('x')]), { failed: [] });
  const [m] = await consume('rk', 1) as [ConsumeMessage];
  assert.equal(m.fields.routingKey, 'dev.hall-a');
  assert.equal(m.properties.deliveryMode, 1);
});

test('per-record outcomes: an unroutable message is permanent (returned), a missing template value permanent, the rest confirmed', async () => {
  await setup('route', 'direct', 'good');
  const s = await sink({ exchange: 'route', routing_key: '${payload.rk}' });
  await s.init();
  const r = await s.sendBatch([rec('{"rk":"good"}'), rec('{"rk":"nowhere"}'), rec('{}'), rec('{"rk":"good"}')]);
  assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent'], [2, 'permanent']]);
  assert.match(r.failed[0]?.error.message ?? '', /returned the message \(routing key "nowhere"\): 312 NO_ROUTE/);
  assert.equal((await consume('route', 2)).length, 2);
  // mandatory off: the broker drops it, as RobustMQ's publishes do
  const loose = await sink({ exchange: 'route', routing_key: '${payload.rk}', mandatory: false });
  await loose.init();
  assert.deepEqual(await loose.sendBatch([rec('{"rk":"nowhere"}')]), { failed: [] });
});

test('a full queue that rejects publishes: the broker nacks, retriable per record', async () => {
  await setup('full', 'direct', 'k', { 'x-max-length': 2, 'x-overflow': 'reject-publish' });
  const s = await sink({ exchange: 'full', routing_key: 'k' });
  await s.init();
  const r = await s.sendBatch([rec('1'), rec('2'), rec('3'), rec('4')]);
  assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[2, 'retriable'], [3, 'retriable']]);
  assert.match(r.failed[0]?.error.message ?? '', /basic\.nack/);
  assert.deepEqual((await consume('full', 2)).map((m) => m.content.toString()), ['1', '2']);
  assert.deepEqual(await s.sendBatch([rec('5')]), { failed: [] }, 'room again: the same channel goes on');
});

test('a message over max_message_size: the batch fails as permanent, bisection isolates it, the rest arrive', async () => {
  await setup('big', 'direct', 'k');
  const s = await sink({ exchange: 'big', routing_key: 'k' });
  await s.init();
  const batch = [rec('a'), rec(Buffer.alloc(MAX_MESSAGE + 1000, 0x61)), rec('c')];
  // the broker names the size: the record is found and fails alone as permanent; those the
  // closed channel left unconfirmed are unavailable (not at fault), and pass when sent again
  const r = await s.sendBatch(batch);
  const big = r.failed.find((f) => f.index === 1);
  assert.equal(big?.error.kind, 'permanent');
  assert.match(big?.error.message ?? '', /PRECONDITION[-_]FAILED.*larger than configured max size/);
  const again = r.failed.filter((f) => f.index !== 1);
  for (const f of again) assert.equal(f.error.kind, 'unavailable', f.error.message);
  const resent = again.map((f) => batch[f.index] as SinkRecord);
  if (resent.length > 0) assert.deepEqual(await s.sendBatch(resent), { failed: [] });
  // `a` went through the first time (before the refused one), confirmed or not; the resent ones once more
  const arrived = (await consume('big', 1 + resent.length)).map((m) => m.content.toString());
  assert.ok(arrived.includes('a') && arrived.includes('c') && arrived.every((p) => p === 'a' || p === 'c'), String(arrived));
});

test('the exchange missing: init unavailable; deleted under a running sink: unavailable, then written once declared again', async () => {
  const missing = await sink({ exchange: 'nosuch' });
  await assert.rejects(missing.validate(), /NOT_FOUND - no exchange 'nosuch' in vhost '\/'"; declare the exchange/);
  await assert.rejects(missing.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /no exchange 'nosuch'/.test(e.message));

  await setup('gone', 'direct', 'k');
  const s = await sink({ exchange: 'gone', routing_key: 'k' });
  await s.init();
  await ch.deleteExchange('gone');
  const r = await s.sendBatch([rec('x'), rec('y')]).then((v) => v.failed.map((f) => f.error), (e: unknown) => [e]);
  assert.ok(r.length > 0 && r.every((e) => e instanceof SinkError && e.kind === 'unavailable'), String(r));
  assert.match(String((r[0] as Error).message), /NOT_FOUND/);
  await setup('gone', 'direct', 'k');
  assert.deepEqual(await s.sendBatch([rec('z')]), { failed: [] });
  assert.deepEqual((await consume('gone', 1)).map((m) => m.content.toString()), ['z']);
});

test('refused credentials and an unknown vhost: unavailable, naming the user and never the password', async () => {
  const bad = await sink({ exchange: 'props', password: 'secret-wrong-pw' });
  const e1 = await bad.init().then(() => undefined, (e: unknown) => e);
  assert.ok(e1 instanceof SinkError && e1.kind === 'unavailable', String(e1));
  assert.match(e1.message, /as "guest": .*ACCESS[-_]REFUSED.*; check username, password/);
  assert.ok(!e1.message.includes('secret-wrong-pw'));
  const vhost = await sink({ exchange: 'props', virtual_host: '/nosuch' });
  const e2 = await vhost.init().then(() => undefined, (e: unknown) => e);
  assert.ok(e2 instanceof SinkError && e2.kind === 'unavailable', String(e2));
  assert.match(e2.message, /NOT[-_]ALLOWED|vhost/);
  const down = await sink({ exchange: 'props', port: 1, connection_timeout_secs: 2 });
  await assert.rejects(down.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /ECONNREFUSED/.test(e.message));
});
