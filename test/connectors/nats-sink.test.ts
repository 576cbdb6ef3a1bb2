// The nats sink against a real nats-server with JetStream (harness), read back with the NATS
// client: subjects from MQTT topics, the payload untouched, MQTT metadata in headers, Nats-Msg-Id
// = record id (a redelivered record is stored once), and the error kinds: no stream for the
// subject and refused credentials unavailable, a message over max_payload permanent alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, ErrorCode, NatsError, type NatsConnection } from 'nats';
import { publishError } from '../../src/connectors/nats/errors.js';
import { headerValue, toSubject } from '../../src/connectors/nats/mapping.js';
import type { ConnectorSink, SinkRecord } from '../../src/connectors/sink.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { startService, type RunningService } from '../harness/services.js';

const ctx = { tenant: 'default', connectorName: 'nats-test', log: () => undefined };
const rec = (id: string, topic: string, payload: Buffer | string, over: Partial<SinkRecord> = {}): SinkRecord => ({
  id, offset: 1, topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: 1_790_000_000_123, ...over,
});

describe('nats subject and header mapping', () => {
  test('MQTT levels become subject tokens; wildcards, whitespace and empty levels become _', () => {
    assert.equal(toSubject('a/b/c'), 'a.b.c');
    assert.equal(toSubject('mqtt.site 1/dev*/x>y'), 'mqtt.site_1.dev_.x_y');
    assert.equal(toSubject('/a//b/'), '_.a._.b._');
  });
  test('header values read back exactly with decodeURIComponent', () => {
    for (const v of ['plain', ' lead and trail ', 'a\r\nb', '100% sure', '中文/主题', '']) assert.equal(decodeURIComponent(headerValue(v)), v);
    assert.equal(headerValue('a/b/c'), 'a/b/c', 'ordinary values stay readable');
  });
});

describe('nats error kinds', () => {
  const jsError = (code: number, errCode: number, description: string): NatsError => {
    const e = new NatsError(description, String(code));
    e.api_error = { code, err_code: errCode, description };
    return e;
  };
  test('only the message itself is permanent; everything about the target is unavailable', () => {
    const kind = (e: unknown): string => publishError(e, 's', 1000).kind;
    assert.equal(kind(new NatsError('too big', ErrorCode.MaxPayloadExceeded)), 'permanent');
    assert.equal(kind(jsError(400, 10054, 'message size exceeds maximum allowed')), 'permanent');
    assert.equal(kind(new NatsError('bad subject', ErrorCode.BadSubject)), 'permanent');
    assert.equal(kind(new NatsError('503', ErrorCode.NoResponders)), 'unavailable');
    assert.equal(kind(new NatsError('timeout', ErrorCode.Timeout)), 'unavailable');
    assert.equal(kind(new NatsError('closed', ErrorCode.ConnectionClosed)), 'unavailable');
    assert.equal(kind(new NatsError('perm', ErrorCode.PermissionsViolation)), 'unavailable');
    assert.equal(kind(jsError(503, 10077, 'maximum messages exceeded')), 'unavailable');
    assert.equal(kind(jsError(400, 10060, 'expected stream does not match')), 'unavailable');
    assert.equal(kind(new Error('anything else')), 'unavailable');
  });
});

describe('nats sink against nats-server with JetStream', () => {
  let svc: RunningService;
  let nc: NatsConnection;
  let base: Record<string, unknown>;
  const sinks: ConnectorSink[] = [];
  const sink = async (over: Record<string, unknown> = {}): Promise<ConnectorSink> => {
    const s = await openSink(parseConnectorType('nats'), { ...base, ...over }, ctx);
    sinks.push(s);
    return s;
  };
  const stored = async (stream: string) => {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    const out = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) out.push(await jsm.streams.getMessage(stream, { seq }));
    return out;
  };

  before(async () => {
    svc = await startService('nats');
    const servers = svc.env.SLUICE_TEST_NATS_URL as string;
    const auth = { user: svc.env.SLUICE_TEST_NATS_USER as string, pass: svc.env.SLUICE_TEST_NATS_PASSWORD as string };
    nc = await connect({ servers, ...auth });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'PLANT', subjects: ['plant.>'], duplicate_window: 60 * 1e9 });
    await jsm.streams.add({ name: 'OTHER', subjects: ['other.>'] });
    base = { servers, username: auth.user, password: auth.pass, timeout_ms: 3000 };
  });
  after(async () => {
    for (const s of sinks) await s.cleanup();
    await nc?.close();
    await svc?.stop();
  });

  test('subject, payload bytes and MQTT metadata headers arrive as documented; the ack is per record', async () => {
    const s = await sink();
    await s.validate();
    await s.init();
    const binary = Buffer.from([0, 255, 10, 13]);
    const batch = [
      rec('id-1', 'plant/boiler-1/temp', '{"t":21.5}', { qos: 2, retain: true, properties: { contentType: 'application/json', userProperties: { unit: 'C', 'a=b': ['x', ' y '] }, responseTopic: 'reply/1', correlationData: Buffer.from('corr'), messageExpiryInterval: 60, payloadFormatIndicator: true } }),
      rec('id-2', 'plant/boiler 2/raw', binary),
    ];
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    const msgs = await stored('PLANT');
    assert.deepEqual(msgs.map((m) => m.subject), ['plant.boiler-1.temp', 'plant.boiler_2.raw']);
    assert.equal(Buffer.from(msgs[1]?.data ?? []).equals(binary), true, 'payload bytes untouched');
    const h = msgs[0]?.header;
    assert.ok(h);
    assert.equal(h.get('Nats-Msg-Id'), 'id-1');
    assert.equal(h.get('Mqtt-Topic'), 'plant/boiler-1/temp');
    assert.equal(h.get('Mqtt-Qos'), '2');
    assert.equal(h.get('Mqtt-Retain'), 'true');
    assert.equal(h.get('Sluice-Timestamp'), '1790000000123');
    assert.equal(h.get('Content-Type'), 'application/json');
    assert.equal(h.get('Mqtt-Response-Topic'), 'reply/1');
    assert.equal(Buffer.from(h.get('Mqtt-Correlation-Data'), 'base64').toString(), 'corr');
    assert.equal(h.get('Mqtt-Message-Expiry-Interval'), '60');
    assert.equal(h.get('Mqtt-Payload-Format-Indicator'), '1');
    const props = h.values('Mqtt-User-Property').map((kv) => kv.split('=').map(decodeURIComponent));
    assert.deepEqual(props, [['unit', 'C'], ['a=b', 'x'], ['a=b', ' y ']]);
  });

  test('a record sent again (same id) within the duplicate window is stored once', async () => {
    const s = await sink({ subject: 'plant.dedup.${topic[-1]}' });
    await s.init();
    const before = (await stored('PLANT')).length;
    const batch = [rec('dup-1', 'x/a', 'one'), rec('dup-2', 'x/b', 'two')];
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.deepEqual(await s.sendBatch(batch), { failed: [] }, 'a redelivery is acked (as a duplicate)');
    assert.deepEqual(await s.sendBatch([batch[1] as SinkRecord, rec('dup-3', 'x/c', 'three')]), { failed: [] });
    const msgs = (await stored('PLANT')).slice(before);
    assert.deepEqual(msgs.map((m) => m.header?.get('Nats-Msg-Id')), ['dup-1', 'dup-2', 'dup-3']);
  });

  test('no stream for the subject: unavailable (503 no responders); a message over max_payload: permanent alone', async () => {
    const s = await sink({ subject: 'nostream.${topic}' });
    await s.init();
    const r = await s.sendBatch([rec('n-1', 'a/b', 'x')]);
    assert.equal(r.failed[0]?.error.kind, 'unavailable');
    assert.match(r.failed[0]?.error.message ?? '', /no JetStream stream captures/);
    const p = await sink({ subject: 'other.${topic}' });
    await p.init();
    const big = await p.sendBatch([rec('big-0', 'a', 'ok'), rec('big-1', 'a', Buffer.alloc(1024 * 1024 + 1)), rec('big-2', 'a', 'ok too')]);
    assert.deepEqual(big.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.deepEqual((await stored('OTHER')).map((m) => m.header?.get('Nats-Msg-Id')), ['big-0', 'big-2']);
  });

  test('the expected stream: a publish landing in another stream is refused (unavailable)', async () => {
    const s = await sink({ subject: 'other.${topic}', stream: 'PLANT' });
    await s.init();
    const r = await s.sendBatch([rec('exp-1', 'a', 'x')]);
    assert.equal(r.failed[0]?.error.kind, 'unavailable', r.failed[0]?.error.message);
  });

  test('refused credentials: init fails as unavailable and names no secret', async () => {
    for (const over of [{ password: 'wrong-secret-9' }, { username: undefined, password: undefined, token: 'tok-secret-9' }]) {
      const s = await sink(over);
      await assert.rejects(s.init(), (e: unknown) => e instanceof Error && (e as { kind?: string }).kind === 'unavailable' && /refused the credentials/.test(e.message) && !/secret-9/.test(e.message));
    }
  });
});
