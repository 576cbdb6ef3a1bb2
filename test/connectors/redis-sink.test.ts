// Integration tests of the redis sink against real Redis 7 servers in the three modes (one server,
// a three-master cluster, a master watched by redis-sentinel), and end to end Mosquitto → Sluice →
// Redis. Everything is read back with Redis's own commands (LRANGE, XRANGE, GET, TTL, HGETALL,
// SUBSCRIBE) through ioredis.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import mqtt from 'mqtt';
import { keySlot } from '../../src/connectors/redis/cluster-slot.js';
import { SinkError, type ConnectorSink, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { redisType } from '../../src/metadata/configs/redis.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { startService, type RunningService } from '../harness/services.js';
import { startTestServer } from '../helpers/server.js';

const MIN = 60_000;
const ctx: SinkContext = { tenant: 'default', connectorName: 'redis-test', log: () => undefined };
const PASSWORD = 'redis-it-pw';

let seq = 0;
function rec(payload: Buffer | string, over: Partial<SinkRecord> = {}): SinkRecord {
  seq += 1;
  return { id: `r-${seq}`, offset: seq, topic: 'dev/7/temp', payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: 1_790_000_000_000 + seq, ...over };
}

const opened: ConnectorSink[] = [];
async function started(config: Record<string, unknown>): Promise<ConnectorSink> {
  const s = await openSink(redisType, config, ctx);
  opened.push(s);
  await s.init();
  return s;
}

after(async () => {
  for (const s of opened) await s.cleanup().catch(() => undefined);
});

describe('single server', () => {
  let svc: RunningService;
  let redis: Redis;
  let server: string;
  const config = (command_template: string | string[]): Record<string, unknown> => ({ server, password: PASSWORD, command_template });

  before(async () => {
    svc = await startService('redis', { extraConfig: [`requirepass ${PASSWORD}`] });
    server = svc.env.SLUICE_TEST_REDIS_SERVER as string;
    const [host, port] = server.split(':') as [string, string];
    redis = new Redis({ host, port: Number(port), password: PASSWORD });
  });
  after(async () => {
    redis?.disconnect();
    await svc?.stop();
  });

  test('LPUSH: a payload with spaces stays one argument, any bytes arrive unchanged', async () => {
    const s = await started(config('LPUSH mqtt:messages ${payload}'));
    const payloads = [Buffer.from('hello big world'), Buffer.from('{"t": 21.5, "note": "a b  c"}'), Buffer.from([0xff, 0x00, 0x20, 0xfe])];
    assert.deepEqual(await s.sendBatch(payloads.map((p) => rec(p))), { failed: [] });
    const got = await redis.lrangeBuffer('mqtt:messages', 0, -1);
    assert.deepEqual(got.reverse(), payloads);
  });

  test('RobustMQ\'s {payload} form and the argument-list form', async () => {
    const a = await started(config('RPUSH robust:list {payload}'));
    assert.deepEqual(await a.sendBatch([rec('one two')]), { failed: [] });
    assert.deepEqual(await redis.lrange('robust:list', 0, -1), ['one two']);
    const b = await started(config(['SET', 'list form:${topic[1]}', 'value with "quotes" and spaces']));
    assert.deepEqual(await b.sendBatch([rec('x')]), { failed: [] });
    assert.equal(await redis.get('list form:7'), 'value with "quotes" and spaces');
    const c = await started(config('SET "quoted key:${topic[1]}" "a b"'));
    assert.deepEqual(await c.sendBatch([rec('x')]), { failed: [] });
    assert.equal(await redis.get('quoted key:7'), 'a b');
  });

  test('XADD with MAXLEN: fields from the record, the stream capped', async () => {
    const s = await started(config('XADD mqtt:stream:${topic[1]} MAXLEN 3 * id ${id} topic ${topic} payload ${payload}'));
    const batch = Array.from({ length: 5 }, (_, i) => rec(`{"n":${i}}`));
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    const entries = await redis.xrange('mqtt:stream:7', '-', '+');
    assert.deepEqual(entries.map(([, fields]) => fields), batch.slice(2).map((r) => ['id', r.id, 'topic', 'dev/7/temp', 'payload', r.payload.toString()]));
  });

  test('SET with a TTL, keyed by the topic', async () => {
    const s = await started(config('SET device:${topic[1]}:last ${payload} EX 3600'));
    assert.deepEqual(await s.sendBatch([rec('{"t":20}'), rec('{"t":21}')]), { failed: [] });
    assert.equal(await redis.get('device:7:last'), '{"t":21}');
    const ttl = await redis.ttl('device:7:last');
    assert.ok(ttl > 3500 && ttl <= 3600, `ttl ${ttl}`);
  });

  test('HSET from JSON fields; a record without the field fails alone as permanent', async () => {
    const s = await started(config('HSET device:${payload.id} temp ${payload.temp} meta ${payload.meta} at ${timestamp}'));
    const good = rec('{"id":"d1","temp":21.5,"meta":{"site":"hall a"}}');
    const missing = rec('{"id":"d2"}');
    const r = await s.sendBatch([good, missing]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /\$\{payload\.temp\} has no value/);
    assert.deepEqual(await redis.hgetall('device:d1'), { temp: '21.5', meta: '{"site":"hall a"}', at: String(good.timestamp) });
    assert.equal(await redis.exists('device:d2'), 0);
  });

  test('PUBLISH: subscribers receive each payload', async () => {
    const sub = redis.duplicate();
    const got: string[] = [];
    sub.on('message', (_channel: string, message: string) => got.push(message));
    await sub.subscribe('mqtt:channel:7');
    const s = await started(config('PUBLISH mqtt:channel:${topic[1]} ${payload}'));
    assert.deepEqual(await s.sendBatch([rec('a b'), rec('c')]), { failed: [] });
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ['a b', 'c']);
    sub.disconnect();
  });

  test('per-record replies: WRONGTYPE and a non-integer are permanent for their records, the others written', async () => {
    await redis.rpush('counter:list', 'a list, not a number');
    const s = await started(config('INCRBY counter:${payload.key} ${payload.by}'));
    const batch = [rec('{"key":"a","by":2}'), rec('{"key":"a","by":"x"}'), rec('{"key":"a","by":3}'), rec('{"key":"list","by":1}')];
    const r = await s.sendBatch(batch);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent'], [3, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /^redis: INCRBY on 127\.0\.0\.1:\d+ failed: ERR value is not an integer/);
    assert.match(r.failed[1]?.error.message ?? '', /WRONGTYPE/);
    assert.equal(await redis.get('counter:a'), '5');
  });

  test('validate names an unknown command and a wrong argument count; the server down is unavailable', async () => {
    const unknown = await openSink(redisType, config('NOSUCHCMD a ${payload}'), ctx);
    await assert.rejects(unknown.validate(), /knows no command NOSUCHCMD/);
    const arity = await openSink(redisType, config('SET onlykey'), ctx);
    await assert.rejects(arity.validate(), /SET takes at least 2 arguments; command_template gives 1/);
    await (await openSink(redisType, config('SET k ${payload}'), ctx)).validate();
    // the same template at run time: every record fails, as unavailable (the template is wrong, not the records)
    const s = await started(config('SET onlykey'));
    const r = await s.sendBatch([rec('a'), rec('b')]);
    assert.deepEqual(r.failed.map((f) => f.error.kind), ['unavailable', 'unavailable']);
    const down = await openSink(redisType, { server: '127.0.0.1:1', command_template: 'SET k v', connect_timeout_ms: 1000 }, ctx);
    await assert.rejects(down.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /cannot connect to 127\.0\.0\.1:1/.test(e.message));
  });

  test('wrong password: unavailable, and the password is in no message', async () => {
    const s = await openSink(redisType, { ...config('SET k v'), password: 'secret-wrong-pw' }, ctx);
    const err = await s.init().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SinkError && err.kind === 'unavailable', String(err));
    assert.match(err.message, /WRONGPASS/);
    assert.ok(!err.message.includes('secret-wrong-pw') && !err.message.includes(PASSWORD));
  });

  test('end to end: MQTT → Sluice → Redis list, every message once and in order', { timeout: 3 * MIN }, async () => {
    const mosquitto = await startService('mosquitto');
    const mqttUrl = mosquitto.env.SLUICE_TEST_MQTT_URL as string;
    const sluice = await startTestServer({ mqttUrl });
    const pub = await mqtt.connectAsync(mqttUrl, { clientId: 'redis-it-publisher' });
    try {
      const created = await sluice.request('POST', '/api/v1/connectors', {
        name: 'redis-e2e', type: 'redis', topic_filter: 'e2e/#',
        config: { server, password: PASSWORD, command_template: 'RPUSH e2e:${topic[1]} ${payload}' },
        delivery: { batch_size: 500, linger_ms: 20 },
      });
      assert.equal(created.status, 201, created.text);
      // the subscription is made once the connector runs: probes until one arrives
      for (let i = 0; ; i++) {
        await pub.publishAsync('e2e/probe', `p${i}`, { qos: 1 });
        if ((await redis.llen('e2e:probe')) > 0) break;
        assert.ok(i < 100, 'the connector never subscribed');
        await new Promise((r) => setTimeout(r, 100));
      }
      const N = 2000;
      for (let i = 0; i < N; i += 200) {
        await Promise.all(Array.from({ length: 200 }, (_, k) => pub.publishAsync('e2e/data', `message ${i + k}`, { qos: 1 })));
      }
      for (let i = 0; (await redis.llen('e2e:data')) < N; i++) {
        assert.ok(i < 600, `only ${await redis.llen('e2e:data')} of ${N} arrived`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const got = await redis.lrange('e2e:data', 0, -1);
      assert.equal(got.length, N);
      assert.deepEqual(new Set(got).size, N, 'no message twice');
    } finally {
      await pub.endAsync().catch(() => undefined);
      await sluice.cleanup();
      await mosquitto.stop();
    }
  });
});

describe('cluster', () => {
  let svc: RunningService;
  let cluster: Cluster;

  before(async () => {
    svc = await startService('redis', { shape: 'cluster', extraConfig: [`requirepass ${PASSWORD}`] });
    const nodes = (svc.env.SLUICE_TEST_REDIS_SERVER as string).split(',').map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) }));
    cluster = new Cluster(nodes, { redisOptions: { password: PASSWORD } });
  });
  after(async () => {
    cluster?.disconnect();
    await svc?.stop();
  });

  test('a batch over keys of every node arrives, each record on the node of its slot', async () => {
    const s = await started({ server: svc.env.SLUICE_TEST_REDIS_SERVER, mode: 'cluster', password: PASSWORD, command_template: 'SET c:${payload.n} ${payload}' });
    const batch = Array.from({ length: 300 }, (_, n) => rec(`{"n":${n}}`));
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    const values = await Promise.all(batch.map((_, n) => cluster.get(`c:${n}`)));
    assert.deepEqual(values, batch.map((_, n) => `{"n":${n}}`));
    // the keys really are spread: every master holds some
    const masters = cluster.nodes('master');
    assert.equal(masters.length, 3);
    for (const m of masters) assert.ok((await m.dbsize()) > 50, `a master holds ${await m.dbsize()} keys`);
  });

  test('a record whose keys cross slots fails alone (CROSSSLOT, permanent)', async () => {
    const s = await started({ server: svc.env.SLUICE_TEST_REDIS_SERVER, mode: 'cluster', password: PASSWORD, command_template: 'MSET ${payload.a} 1 ${payload.b} 2' });
    const r = await s.sendBatch([rec('{"a":"{x}1","b":"{x}2"}'), rec('{"a":"p","b":"q"}')]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /CROSSSLOT|same slot/);
    assert.equal(await cluster.get('{x}2'), '2');
  });

  test('the client-side slot rule is the server\'s (CLUSTER KEYSLOT)', async () => {
    for (const key of ['foo', 'mqtt:dev/7', '{user1}.a', 'a{}b', '{}x', 'ü😀', 'x{y}{z}']) {
      assert.equal(keySlot(key), await cluster.call('CLUSTER', 'KEYSLOT', key), key);
    }
  });
});

describe('sentinel', () => {
  let svc: RunningService;

  before(async () => {
    svc = await startService('redis', { shape: 'sentinel', extraConfig: [`requirepass ${PASSWORD}`] });
  });
  after(async () => {
    await svc?.stop();
  });

  test('the sentinel names the master, the batch arrives there', async () => {
    const s = await started({ server: svc.env.SLUICE_TEST_REDIS_SERVER, mode: 'sentinel', sentinel_master_name: svc.env.SLUICE_TEST_REDIS_MASTER_NAME, password: PASSWORD, database: 2, command_template: 'RPUSH via:sentinel ${id}' });
    const batch = [rec('a'), rec('b'), rec('c')];
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    const master = new Redis({ host: '127.0.0.1', port: Number(svc.env.SLUICE_TEST_REDIS_PORTS), password: PASSWORD, db: 2 });
    try {
      assert.deepEqual(await master.lrange('via:sentinel', 0, -1), batch.map((r) => r.id));
    } finally {
      master.disconnect();
    }
  });

  test('an unknown master name: init fails as unavailable, naming it', async () => {
    const s = await openSink(redisType, { server: svc.env.SLUICE_TEST_REDIS_SERVER, mode: 'sentinel', sentinel_master_name: 'nosuchmaster', password: PASSWORD, command_template: 'SET k v', connect_timeout_ms: 1500 }, ctx);
    opened.push(s);
    await assert.rejects(s.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /nosuchmaster/.test(e.message));
  });
});
