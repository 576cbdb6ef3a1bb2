// Integration tests of the clickhouse sink against a real ClickHouse (Debian 18.16) and, end to
// end, Mosquitto → Sluice → ClickHouse. Everything is read back with ClickHouse's own SQL.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import mqtt, { type MqttClient } from 'mqtt';
import type { ConnectorStatus } from '../../src/core/connector-status.js';
import { createClickHouseSink } from '../../src/connectors/clickhouse/sink.js';
import type { ClickHouseConfig } from '../../src/metadata/configs/clickhouse.js';
import { SinkError, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { freePort, startService, type RunningService } from '../harness/services.js';
import { assertError, startTestServer, type TestServer } from '../helpers/server.js';

const MIN = 60_000;
const DB = 'sluice_it';
const ctx: SinkContext = { tenant: 'default', connectorName: 'ch-test', log: () => undefined };

let clickhouse: RunningService;
let mosquitto: RunningService;
let chUrl: string;
let ch: ClickHouseClient;
let server: TestServer;
let pub: MqttClient;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  [clickhouse, mosquitto] = await Promise.all([startService('clickhouse'), startService('mosquitto')]);
  chUrl = clickhouse.env.SLUICE_TEST_CLICKHOUSE_URL as string;
  const mqttUrl = mosquitto.env.SLUICE_TEST_MQTT_URL as string;
  ch = createClient({ url: chUrl, log: { level: ClickHouseLogLevel.OFF }, request_timeout: 30_000 });
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${DB}` });
  server = await startTestServer({ mqttUrl });
  pub = await mqtt.connectAsync(mqttUrl, { clientId: 'ch-it-publisher', reconnectPeriod: 1000 });
});

after(async () => {
  await pub?.endAsync().catch(() => undefined);
  await server?.cleanup().catch(() => undefined);
  await ch?.close().catch(() => undefined);
  await Promise.all([clickhouse?.stop(), mosquitto?.stop()]);
});

// ---- helpers ---------------------------------------------------------------------------------

async function rows<T>(query: string): Promise<T[]> {
  return (await ch.query({ query, format: 'JSONEachRow' })).json<T>();
}

async function count(query: string): Promise<number> {
  const [r] = await rows<{ n: string }>(query);
  return Number(r?.n);
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

type Status = ConnectorStatus;

async function status(name: string): Promise<Status> {
  const r = await server.request<Status>('GET', `/api/v1/connectors/${name}/status`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

function sinkConfig(over: Partial<ClickHouseConfig>): ClickHouseConfig {
  return { url: chUrl, database: DB, table: 'messages', username: 'default', password: '', payload_format: 'raw', create_table: false, compression: false, pool_size: 4, timeout_secs: 10, ...over };
}

async function createConnector(body: Record<string, unknown>): Promise<void> {
  const r = await server.request('POST', '/api/v1/connectors', body);
  assert.equal(r.status, 201, r.text);
}

/** QoS 1 publishes, 200 in flight at a time. */
async function publish(messages: { topic: string; payload: Buffer | string; retain?: boolean }[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 200) {
    await Promise.all(messages.slice(i, i + 200).map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1, retain: m.retain ?? false })));
  }
}

/**
 * The connector's MQTT subscription is made after it connects; publishes non-retained probes
 * until one is journaled. Returns how many probes it took in (they are ordinary messages).
 */
async function waitSubscribed(name: string, topic: string, payload: string): Promise<number> {
  await until(`${name} subscribed`, async () => {
    await pub.publishAsync(topic, payload, { qos: 1 });
    for (let i = 0; i < 10; i++) {
      if ((await status(name)).received > 0) return true;
      await sleep(50);
    }
    return false;
  }, 30_000, 0);
  await sleep(300);
  return (await status(name)).received;
}

/**
 * A hard stop of the harness's ClickHouse (our own child process): SIGKILL, then wait until the
 * port refuses. `clickhouse.restart()` starts it again on the same port with the same data.
 */
async function killClickHouse(): Promise<void> {
  const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  const pids = children.split('\n').filter((l) => /clickhouse/.test(l) && l.includes('--config-file=')).map((l) => Number.parseInt(l.trim(), 10));
  assert.equal(pids.length, 1, `one ClickHouse child expected:\n${children}`);
  process.kill(pids[0] as number, 'SIGKILL');
  await until('ClickHouse down', async () => {
    try {
      const res = await fetch(`${chUrl}/ping`, { signal: AbortSignal.timeout(500) });
      await res.body?.cancel();
      return false;
    } catch {
      return true;
    }
  }, 10_000, 20);
}

function rec(offset: number, payload: Buffer | string, topic = `dev/${offset % 3}/state`): SinkRecord {
  return { id: `e-${offset}`, offset, topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: 1, retain: offset % 2 === 0, timestamp: 1_790_000_000_000 + offset };
}

async function closedPort(): Promise<number> {
  return freePort();
}

// ---- the sink against the server ---------------------------------------------------------------

test('validate: clear messages for an unreachable server, refused credentials, a missing database, table or column', { timeout: 2 * MIN }, async () => {
  await ch.command({ query: `CREATE TABLE IF NOT EXISTS ${DB}.no_qos (topic String, payload String, timestamp UInt64) ENGINE = MergeTree ORDER BY topic` });
  await ch.command({ query: `CREATE TABLE IF NOT EXISTS ${DB}.bad_types (topic String, payload String, qos UInt8, retain UInt8, timestamp DateTime) ENGINE = MergeTree ORDER BY topic` });
  const cases: [Partial<ClickHouseConfig>, RegExp][] = [
    [{ url: `http://127.0.0.1:${await closedPort()}` }, /^clickhouse: cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/],
    [{ password: 'wrong' }, /^clickhouse: http:\/\/127\.0\.0\.1:\d+ refused user "default": Wrong password for user default \(code 193\)$/],
    [{ username: 'nobody' }, /refused user "nobody": Unknown user nobody \(code 192\)$/],
    [{ database: 'no_such_db' }, /^clickhouse: database no_such_db does not exist on http:\/\/127\.0\.0\.1:\d+$/],
    [{ table: 'missing' }, new RegExp(`^clickhouse: table ${DB}\\.missing does not exist on http://127\\.0\\.0\\.1:\\d+; create it \\(see the raw mapping's table in the docs\\) or set create_table: true$`)],
    [{ table: 'missing', payload_format: 'json' }, /table sluice_it\.missing does not exist .*; create it with a column for each payload field to store$/],
    [{ table: 'no_qos' }, /^clickhouse: table sluice_it\.no_qos does not fit payload_format raw: no column qos; no column retain\. Expected columns: topic String, payload String, qos UInt8, retain UInt8, timestamp UInt64 \(payload_encoding String optional\)$/],
    [{ table: 'bad_types' }, /^clickhouse: table sluice_it\.bad_types does not fit payload_format raw: column timestamp is DateTime but needs a 64-bit integer/],
    [{ url: `${'http'}://127.0.0.1:1/?no_such_option=1` }, /^clickhouse: url http:\/\/127\.0\.0\.1:1: .*no_such_option/],
  ];
  for (const [over, expected] of cases) {
    const sink = createClickHouseSink(sinkConfig(over), ctx);
    await assert.rejects(sink.validate(), (e: Error) => {
      assert.match(e.message, expected);
      assert.ok(!e.message.includes('wrong'), 'password in message');
      return true;
    }, JSON.stringify(over));
    await sink.cleanup();
  }
  // create_table: validate passes on a missing table, init creates the documented one
  const sink = createClickHouseSink(sinkConfig({ table: 'created', create_table: true }), ctx);
  await sink.validate();
  await sink.init();
  assert.deepEqual(await rows(`SELECT name, type FROM system.columns WHERE database = '${DB}' AND table = 'created'`), [
    { name: 'topic', type: 'String' },
    { name: 'payload', type: 'String' },
    { name: 'payload_encoding', type: 'String' },
    { name: 'qos', type: 'UInt8' },
    { name: 'retain', type: 'UInt8' },
    { name: 'timestamp', type: 'UInt64' },
  ]);
  const [t] = await rows<{ engine: string; sorting_key: string }>(`SELECT engine, sorting_key FROM system.tables WHERE database = '${DB}' AND name = 'created'`);
  assert.equal(t?.engine, 'MergeTree');
  assert.equal(t?.sorting_key, 'topic, timestamp');
  await sink.validate(); // exists now, with the right columns
  await sink.cleanup();
  await sink.cleanup();
});

test('raw mapping with gzip requests: any payload round-trips exactly', { timeout: 2 * MIN }, async () => {
  const sink = createClickHouseSink(sinkConfig({ table: 'roundtrip', create_table: true, compression: true }), ctx);
  await sink.validate();
  await sink.init();
  const payloads: (string | Buffer)[] = ['{"t":21.5}', 'a\u0000b\u0001\u001f', '"quoted" \\ back\\slash', 'ü 中文 😀', '\uFEFFbom', 'cr\r\nlf\n\u2028', '', 'x'.repeat(100_000),
    Buffer.from([0xff, 0xfe, 0x00, 0x80]), Buffer.from([0xc3])];
  const batch = payloads.map((p, i) => rec(i + 1, p));
  assert.deepEqual(await sink.sendBatch(batch), { failed: [] });
  const got = await rows<{ topic: string; payload: string; payload_encoding: string; qos: number; retain: number; timestamp: string }>(`SELECT * FROM ${DB}.roundtrip ORDER BY timestamp`);
  assert.equal(got.length, batch.length);
  got.forEach((row, i) => {
    const r = batch[i] as SinkRecord;
    const bytes = row.payload_encoding === 'base64' ? Buffer.from(row.payload, 'base64') : Buffer.from(row.payload, 'utf8');
    assert.ok(bytes.equals(r.payload), `payload ${i} differs`);
    assert.equal(row.payload_encoding, Buffer.isBuffer(payloads[i]) ? 'base64' : 'utf8');
    assert.deepEqual({ topic: row.topic, qos: row.qos, retain: row.retain, timestamp: Number(row.timestamp) }, { topic: r.topic, qos: 1, retain: r.retain ? 1 : 0, timestamp: r.timestamp });
  });
  await sink.cleanup();
});

test('json mapping: a non-object fails alone, a row the server rejects fails the INSERT permanently, network errors are unavailable', { timeout: 2 * MIN }, async () => {
  await ch.command({ query: `CREATE TABLE IF NOT EXISTS ${DB}.direct_json (device String, value Float64, n UInt64) ENGINE = MergeTree ORDER BY device` });
  const sink = createClickHouseSink(sinkConfig({ table: 'direct_json', payload_format: 'json' }), ctx);
  await sink.validate();
  await sink.init();
  const result = await sink.sendBatch([rec(1, '{"device":"a","value":1.5,"n":18446744073709551615,"unknown":{"x":[1,{"y":2}]}}'), rec(2, '[1,2]'), rec(3, '{"device":"b","value":"2.5"}'), rec(4, 'not json')]);
  assert.deepEqual(result.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent'], [3, 'permanent']]);
  assert.match(result.failed[0]?.error.message ?? '', /^clickhouse: payload is a JSON array, not a JSON object/);
  assert.deepEqual(await rows(`SELECT device, value, toString(n) AS n FROM ${DB}.direct_json ORDER BY device`), [
    { device: 'a', value: 1.5, n: '18446744073709551615' },
    { device: 'b', value: 2.5, n: '0' },
  ]);
  await assert.rejects(sink.sendBatch([rec(5, '{"device":"c","value":3}'), rec(6, '{"device":"d","value":"not-a-number"}')]), (e: unknown) => {
    assert.ok(e instanceof SinkError);
    assert.equal(e.kind, 'permanent');
    assert.match(e.message, /^clickhouse: INSERT into sluice_it\.direct_json failed: Cannot parse .*\(at row 2\) \(code 27\)$/);
    return true;
  });
  assert.equal(await count(`SELECT count() AS n FROM ${DB}.direct_json`), 2, 'a rejected INSERT wrote nothing');
  await sink.cleanup();

  const down = createClickHouseSink(sinkConfig({ url: `http://127.0.0.1:${await closedPort()}`, table: 'direct_json', payload_format: 'json' }), ctx);
  await assert.rejects(down.sendBatch([rec(7, '{"device":"e"}')]), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /not started/.test(e.message));
  await down.init();
  await assert.rejects(down.sendBatch([rec(7, '{"device":"e"}')]), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /ECONNREFUSED/.test(e.message));
  await down.cleanup();
});

// ---- end to end: Mosquitto → Sluice → ClickHouse --------------------------------------------------

test('content: N messages published with QoS 1 arrive as documented rows', { timeout: 3 * MIN }, async () => {
  const N = 3000;
  // published before the connector subscribes: it arrives with the retain flag and proves the subscription
  await publish([{ topic: 'ch/content/retained', payload: 'kept', retain: true }]);
  await createConnector({
    name: 'ch-content', type: 'clickhouse', topic_filter: 'ch/content/#',
    config: { url: chUrl, database: DB, table: 'content', create_table: true },
    delivery: { batch_size: 1000, linger_ms: 50 },
  });
  await until('the retained message', async () => (await status('ch-content')).received === 1);

  const expected = new Map<string, { topic: string; bytes: Buffer; encoding: string }>();
  const messages = Array.from({ length: N }, (_, i) => {
    const binary = i % 50 === 7;
    const bytes = binary ? Buffer.from([0xff, 0x00, i >> 8, i & 0xff, 0xfe]) : Buffer.from(`{"i":${i},"text":"ü 😀 \\"q\\"\\n"}`);
    const topic = `ch/content/dev${i % 10}`;
    expected.set(binary ? bytes.toString('base64') : bytes.toString('utf8'), { topic, bytes, encoding: binary ? 'base64' : 'utf8' });
    return { topic, payload: bytes };
  });
  const t0 = Date.now();
  await publish(messages);
  await until('all rows', async () => (await count(`SELECT count() AS n FROM ${DB}.content`)) >= N + 1, 90_000, 50);
  const seconds = (Date.now() - t0) / 1000;
  console.log(`clickhouse content: ${N} messages MQTT → Sluice → ClickHouse in ${seconds.toFixed(2)} s = ${Math.round(N / seconds)} rows/s`);

  const got = await rows<{ topic: string; payload: string; payload_encoding: string; qos: number; retain: number; timestamp: string }>(
    `SELECT topic, payload, payload_encoding, qos, retain, timestamp FROM ${DB}.content`,
  );
  assert.equal(got.length, N + 1);
  const retained = got.filter((r) => r.topic === 'ch/content/retained');
  assert.deepEqual(retained.map((r) => ({ ...r, timestamp: undefined })), [{ topic: 'ch/content/retained', payload: 'kept', payload_encoding: 'utf8', qos: 1, retain: 1, timestamp: undefined }]);
  const seen = new Set<string>();
  for (const r of got) {
    if (r.topic === 'ch/content/retained') continue;
    const e = expected.get(r.payload);
    assert.ok(e, `unexpected row ${JSON.stringify(r).slice(0, 200)}`);
    assert.ok(!seen.has(r.payload), `duplicate row ${r.payload}`);
    seen.add(r.payload);
    assert.equal(r.topic, e.topic);
    assert.equal(r.payload_encoding, e.encoding);
    assert.ok((r.payload_encoding === 'base64' ? Buffer.from(r.payload, 'base64') : Buffer.from(r.payload)).equals(e.bytes));
    assert.equal(r.qos, 1);
    assert.equal(r.retain, 0);
    const ts = Number(r.timestamp);
    assert.ok(ts >= t0 - 1000 && ts <= Date.now(), `timestamp ${ts} is not the receive time in ms`);
  }
  assert.equal(seen.size, N);
  const s = await status('ch-content');
  assert.deepEqual([s.received, s.written, s.pending, s.discarded_total, s.dead_lettered, s.accounting_ok], [N + 1, N + 1, 0, 0, 0, true]);
  assert.equal((await server.request('DELETE', '/api/v1/connectors/ch-content')).status, 204);
});

test('bad data: with payload_format json, a row ClickHouse cannot parse and non-objects are dead-lettered alone; the rest land', { timeout: 3 * MIN }, async () => {
  await ch.command({ query: `CREATE TABLE ${DB}.readings (device String, value Float64, n UInt64) ENGINE = MergeTree ORDER BY device` });
  await createConnector({
    name: 'ch-json', type: 'clickhouse', topic_filter: 'ch/json/#',
    config: { url: chUrl, database: DB, table: 'readings', payload_format: 'json' },
    failure_strategy: { strategy: 'dead_message_queue', topic_name: 'sluice/dlq/ch-json', retry_total_times: 2, wait_time_ms: 100 },
    delivery: { batch_size: 100, linger_ms: 500 },
  });
  const probes = await waitSubscribed('ch-json', 'ch/json/probe', '{"device":"probe","value":0,"n":0}');
  const N = 300;
  const bad = new Map<number, [string, RegExp]>([
    [57, ['{"device":"bad","value":"not-a-number","n":57}', /^clickhouse: INSERT into sluice_it\.readings failed: Cannot parse .*\(code 27\)$/]],
    [123, ['[1,2,3]', /^clickhouse: payload is a JSON array, not a JSON object/]],
    [250, ['not json', /^clickhouse: payload is not valid JSON/]],
  ]);
  const payload = (i: number): string => bad.get(i)?.[0] ?? (i === 200 ? '{"device":"d0","value":200.5,"n":18446744073709551615}' : `{"device":"d${i % 5}","value":${i}.5,"n":${i},"extra":{"nested":[1,{"x":2}]}}`);
  await publish(Array.from({ length: N }, (_, i) => ({ topic: `ch/json/d${i % 5}`, payload: payload(i) })));
  const s = await until('every record settled', async () => {
    const st = await status('ch-json');
    return st.received === N + probes && st.pending === 0 ? st : undefined;
  }, 60_000);
  assert.deepEqual([s.written, s.dead_lettered, s.discarded_total, s.accounting_ok], [N + probes - bad.size, bad.size, 0, true]);

  const got = await rows<{ device: string; value: number; n: string }>(`SELECT device, value, toString(n) AS n FROM ${DB}.readings WHERE device != 'probe'`);
  assert.equal(got.length, N - bad.size);
  const want = Array.from({ length: N }, (_, i) => i).filter((i) => !bad.has(i)).map((i) => (i === 200 ? { device: 'd0', value: 200.5, n: '18446744073709551615' } : { device: `d${i % 5}`, value: i + 0.5, n: String(i) }));
  const key = (r: { device: string; n: string }): string => `${r.device}/${r.n}`;
  assert.deepEqual(got.sort((a, b) => key(a).localeCompare(key(b))), want.sort((a, b) => key(a).localeCompare(key(b))));

  const dl = await server.request<{ items: { payload: string; error_message: string; source_topic: string }[]; total: number }>('GET', '/api/v1/connectors/ch-json/dead-letters?limit=100');
  assert.equal(dl.body.total, bad.size);
  for (const [i, [p, message]] of bad) {
    const item = dl.body.items.find((d) => d.payload === p);
    assert.ok(item, `dead letter for message ${i}`);
    assert.match(item.error_message, message);
    assert.equal(item.source_topic, `ch/json/d${i % 5}`);
  }
});

test('outage: ClickHouse stopped and started again mid-stream, default strategy: the connector waits, nothing is lost or charged', { timeout: 4 * MIN }, async () => {
  await createConnector({
    name: 'ch-outage', type: 'clickhouse', topic_filter: 'ch/outage/#',
    config: { url: chUrl, database: DB, table: 'outage', create_table: true, timeout_secs: 5 },
    delivery: { batch_size: 200, linger_ms: 20 },
  });
  const probes = await waitSubscribed('ch-outage', 'ch/outage/probe', 'probe');
  const N = 3000;
  let restarted: Promise<void> | undefined;
  let sawWaiting = false;
  for (let chunk = 0; chunk < 30; chunk++) {
    if (chunk === 8) await killClickHouse();
    if (chunk > 8 && chunk < 20 && !sawWaiting) sawWaiting = (await status('ch-outage')).state === 'waiting';
    if (chunk === 20) restarted = (clickhouse.restart as () => Promise<void>)();
    await publish(Array.from({ length: N / 30 }, (_, k) => ({ topic: 'ch/outage/s', payload: `m-${chunk * (N / 30) + k}` })));
    await sleep(150);
  }
  await restarted;
  const s = await until('everything written', async () => {
    const st = await status('ch-outage');
    return st.received === N + probes && st.pending === 0 ? st : undefined;
  }, 120_000, 200);
  assert.deepEqual([s.written, s.discarded_total, s.dead_lettered, s.retries, s.accounting_ok], [N + probes, 0, 0, 0, true]);
  assert.ok(sawWaiting, 'the outage was shown as waiting');
  const [r] = await rows<{ distinct: string; total: string }>(`SELECT uniqExact(payload) AS distinct, count() AS total FROM ${DB}.outage WHERE payload LIKE 'm-%'`);
  assert.equal(Number(r?.distinct), N, 'messages lost');
  console.log(`clickhouse outage: ${N} messages, 0 retries charged, ${Number(r?.total) - N} duplicate rows (at-least-once)`);
});

test('outage with strategy discard: an unavailable server drops nothing, the connector waits; one created while the server is down starts by itself', { timeout: 4 * MIN }, async () => {
  await createConnector({
    name: 'ch-discard', type: 'clickhouse', topic_filter: 'ch/discard/#',
    config: { url: chUrl, database: DB, table: 'discarded', create_table: true, timeout_secs: 5 },
    failure_strategy: { strategy: 'discard' },
    delivery: { batch_size: 50, linger_ms: 10 },
  });
  const probes = await waitSubscribed('ch-discard', 'ch/discard/probe', 'probe');
  await killClickHouse();

  await createConnector({
    name: 'ch-late', type: 'clickhouse', topic_filter: 'ch/late/#',
    config: { url: chUrl, database: DB, table: 'late', create_table: true },
  });
  const M = 500;
  await publish(Array.from({ length: M }, (_, i) => ({ topic: 'ch/discard/s', payload: `down-${i}` })));
  const late = await until('ch-late waiting for its target', async () => {
    const st = await status('ch-late');
    return st.state === 'waiting' ? st : undefined;
  }, 10_000, 20);
  assert.match(late.last_error ?? '', /^clickhouse: cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  const during = await until('the burst journaled, the connector waiting', async () => {
    const st = await status('ch-discard');
    return st.received === probes + M && st.state === 'waiting' ? st : undefined;
  }, 30_000);
  await sleep(1500);
  const still = await status('ch-discard');
  assert.deepEqual([still.discarded_total, still.retries, still.pending], [0, 0, M], 'nothing dropped or charged while the server is down, even with discard');
  assert.match(during.last_error ?? '', /ECONNREFUSED/);
  await (clickhouse.restart as () => Promise<void>)();

  // back up: the waiting batch and everything behind it land, then new messages
  await publish(Array.from({ length: 100 }, (_, i) => ({ topic: 'ch/discard/s', payload: `up-${i}` })));
  const s = await until('everything written after the restart', async () => {
    const st = await status('ch-discard');
    return st.received === probes + M + 100 && st.pending === 0 ? st : undefined;
  }, 90_000, 200);
  assert.deepEqual([s.written, s.discarded_total, s.accounting_ok], [probes + M + 100, 0, true]);
  assert.equal(await count(`SELECT uniqExact(payload) AS n FROM ${DB}.discarded WHERE payload LIKE 'down-%'`), M);
  assert.equal(await count(`SELECT count() AS n FROM ${DB}.discarded WHERE payload LIKE 'up-%'`), 100);

  await until('ch-late recovered', async () => (await status('ch-late')).state === 'running', 90_000, 200);
  const lateProbes = await waitSubscribed('ch-late', 'ch/late/probe', 'late');
  await until('ch-late rows', async () => (await count(`SELECT count() AS n FROM ${DB}.late`)) === lateProbes, 15_000);
});

test('bad config: a missing table makes the connector wait; creating the table recovers it by itself', { timeout: 3 * MIN }, async () => {
  await createConnector({
    name: 'ch-missing', type: 'clickhouse', topic_filter: 'ch/missing/#',
    config: { url: chUrl, database: DB, table: 'created_later', payload_format: 'json' },
  });
  const s = await until('waiting state', async () => {
    const st = await status('ch-missing');
    return st.state === 'waiting' ? st : undefined;
  });
  assert.match(s.last_error ?? '', /^clickhouse: table sluice_it\.created_later does not exist on http:\/\/127\.0\.0\.1:\d+; create it with a column for each payload field to store$/);
  // the source keeps journaling while the sink cannot start
  const probes = await waitSubscribed('ch-missing', 'ch/missing/probe', '{"k":"probe","v":0}');
  await publish(Array.from({ length: 50 }, (_, i) => ({ topic: 'ch/missing/x', payload: `{"k":"m${i}","v":${i}}` })));
  await until('journaled', async () => (await status('ch-missing')).received === probes + 50);
  assert.equal((await status('ch-missing')).written, 0);

  await ch.command({ query: `CREATE TABLE ${DB}.created_later (k String, v Int64) ENGINE = MergeTree ORDER BY k` });
  const ok = await until('recovered and drained', async () => {
    const st = await status('ch-missing');
    return st.state === 'running' && st.pending === 0 ? st : undefined;
  }, 90_000, 200);
  assert.deepEqual([ok.written, ok.discarded_total, ok.accounting_ok], [probes + 50, 0, true]);
  assert.equal(await count(`SELECT count() AS n FROM ${DB}.created_later WHERE k LIKE 'm%'`), 50);
  assert.equal(await count(`SELECT sum(v) AS n FROM ${DB}.created_later`), (49 * 50) / 2);
});

test('bad config: wrong credentials are named in last_error and in the validate endpoint; fixing the password recovers', { timeout: 3 * MIN }, async () => {
  const config = { url: chUrl, database: DB, table: 'auth', create_table: true, password: 'not-the-password' };
  const v = await server.request<{ message: string }>('POST', '/api/v1/connector-types/clickhouse/validate', { config, probe: true });
  assertError(v, 'CONNECTIVITY_FAILED');
  assert.match(v.body.message, /refused user "default": Wrong password for user default \(code 193\)/);
  assert.ok(!v.text.includes('not-the-password'));

  await createConnector({ name: 'ch-auth', type: 'clickhouse', topic_filter: 'ch/auth/#', config });
  const s = await until('waiting state', async () => {
    const st = await status('ch-auth');
    return st.state === 'waiting' ? st : undefined;
  });
  assert.match(s.last_error ?? '', /^clickhouse: http:\/\/127\.0\.0\.1:\d+ refused user "default": Wrong password for user default \(code 193\)$/);
  const probes = await waitSubscribed('ch-auth', 'ch/auth/probe', 'while-refused');

  const p = await server.request('PATCH', '/api/v1/connectors/ch-auth', { config: { password: '' } });
  assert.equal(p.status, 200, p.text);
  await until('running and drained', async () => {
    const st = await status('ch-auth');
    return st.state === 'running' && st.pending === 0 && st.written === probes;
  }, 60_000, 200);
  assert.equal(await count(`SELECT count() AS n FROM ${DB}.auth WHERE payload = 'while-refused'`), probes);
});
