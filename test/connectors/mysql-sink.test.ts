// Integration tests of the mysql sink against a real MariaDB 10.11, everything read back with
// mysql2: the default row (values, types, a redelivered batch adding nothing, a batch larger
// than one statement), a poison row isolated by the core's bisection, RobustMQ's positional
// template, a named template, upsert, one INSERT per record, and what init says about a table.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { sendWithBisect } from '../../src/core/send-with-bisect.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { SinkError, type ConnectorSink, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { startService, type RunningService } from '../harness/services.js';

const ctx: SinkContext = { tenant: 'default', connectorName: 'mysql-test', log: () => undefined };
const type = parseConnectorType('mysql');
let svc: RunningService;
let db: mysql.Connection;
let base: Record<string, unknown>;
const open: ConnectorSink[] = [];

before(async () => {
  svc = await startService('mariadb');
  const e = svc.env;
  base = { host: e.SLUICE_TEST_MYSQL_HOST, port: Number(e.SLUICE_TEST_MYSQL_PORT), database: e.SLUICE_TEST_MYSQL_DATABASE, username: e.SLUICE_TEST_MYSQL_USER, password: e.SLUICE_TEST_MYSQL_PASSWORD };
  db = await mysql.createConnection({ host: e.SLUICE_TEST_MYSQL_HOST, port: Number(e.SLUICE_TEST_MYSQL_PORT), user: e.SLUICE_TEST_MYSQL_USER, password: e.SLUICE_TEST_MYSQL_PASSWORD, database: e.SLUICE_TEST_MYSQL_DATABASE, dateStrings: true });
});

after(async () => {
  for (const s of open) await s.cleanup().catch(() => undefined);
  await db?.end().catch(() => undefined);
  await svc?.stop();
});

async function sink(config: Record<string, unknown>): Promise<ConnectorSink> {
  const s = await openSink(type, { ...base, ...config }, ctx);
  open.push(s);
  await s.init();
  return s;
}

let clock = 1_790_000_000_123;
function rec(id: string, payload: Buffer | string, extra: Partial<SinkRecord> = {}): SinkRecord {
  return { id, offset: 1, topic: `sensors/${id}/data`, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: clock++, ...extra };
}

/** mysql2 parses a JSON column when the server marks it so (MariaDB 10.11 does) */
const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await db.query<mysql.RowDataPacket[]>(sql))[0];

describe('default row', () => {
  test('create_table: validate passes before the table exists; every column as documented; a redelivered batch adds no rows', async () => {
    const unstarted = await openSink(type, { ...base, table: 'default_rows', create_table: true }, ctx);
    await unstarted.validate();
    const s = await sink({ table: 'default_rows', create_table: true });
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    const batch = [
      rec('a', '{"temp": 21.5}', { qos: 2, retain: true, properties: { contentType: 'application/json', userProperties: { site: 'x' } } }),
      rec('b', binary),
      rec('c', 'plain text, not JSON'),
      rec('d', Buffer.from('nul\u0000inside')),
    ];
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.deepEqual(await s.sendBatch(batch), { failed: [] }, 'the redelivery is accepted');
    const got = await rows('SELECT id, topic, payload, payload_bytes, payload_binary, payload_json, qos, retain, `timestamp`, properties FROM default_rows ORDER BY id');
    assert.equal(got.length, 4, 'one row per record id after the redelivery');
    const [a, b, c, d] = got;
    assert.equal(a?.topic, 'sensors/a/data');
    assert.equal(a?.payload, '{"temp": 21.5}');
    assert.deepEqual(json(a?.payload_json), { temp: 21.5 });
    assert.equal(a?.payload_binary, 0);
    assert.equal(a?.qos, 2);
    assert.equal(a?.retain, 1);
    assert.equal(a?.timestamp, new Date(batch[0]?.timestamp as number).toISOString().replace('T', ' ').replace('Z', ''), 'UTC, to the ms');
    assert.deepEqual(json(a?.properties), { content_type: 'application/json', user_properties: { site: 'x' } });
    assert.equal(b?.payload, null);
    assert.equal(b?.payload_binary, 1);
    assert.deepEqual(b?.payload_bytes, binary);
    assert.equal(c?.payload_json, null);
    assert.equal(d?.payload, 'nul\u0000inside', 'MySQL text holds NUL');
  });

  test('a batch larger than one statement is written whole, once', async () => {
    const s = await sink({ table: 'big', create_table: true });
    const batch = Array.from({ length: 10_000 }, (_, i) => rec(`big-${i}`, `{"i":${i}}`));
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.deepEqual(await rows('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM big'), [{ n: 10_000, ids: 10_000 }]);
  });

  test('a poison row is a permanent failure of that record alone, found by bisection; the rest are written once', async () => {
    await db.query("CREATE TABLE checked (id VARCHAR(255) PRIMARY KEY, topic TEXT, payload TEXT, qos TINYINT, retain BOOLEAN, `timestamp` DATETIME(3), CONSTRAINT no_poison CHECK (payload NOT LIKE '%poison%'))");
    const s = await sink({ table: 'checked' });
    const batch = Array.from({ length: 20 }, (_, i) => rec(`p${i}`, i === 13 ? 'this is poison' : `{"i":${i}}`));
    const failures = await sendWithBisect(s, batch);
    assert.deepEqual([...failures.keys()], [13]);
    const err = failures.get(13) as SinkError;
    assert.equal(err.kind, 'permanent');
    assert.match(err.message, /no_poison.*errno 4025/);
    const ids = (await rows('SELECT id FROM checked')).map((r) => String(r.id)).sort();
    assert.deepEqual(ids, batch.filter((_, i) => i !== 13).map((r) => r.id).sort());
  });

  test('enable_batch_insert false: one INSERT per record, each record its own outcome; a value too long fails alone', async () => {
    await db.query('CREATE TABLE single (id VARCHAR(255) PRIMARY KEY, topic TEXT, payload VARCHAR(5), qos TINYINT, retain BOOLEAN, `timestamp` DATETIME(3))');
    const s = await sink({ table: 'single', enable_batch_insert: false });
    const r = await s.sendBatch([rec('s1', 'x'), rec('s2', 'much too long'), rec('s3', 'y'), rec('s1', 'x')]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /errno 1406/);
    assert.deepEqual((await rows('SELECT id FROM single ORDER BY id')).map((x) => x.id), ['s1', 's3']);
  });

  test('init names what a table misses, and a table that does not exist; a wrong password is unavailable without the password in the message', async () => {
    await db.query('CREATE TABLE lacking (id VARCHAR(255) PRIMARY KEY, topic TEXT)');
    await assert.rejects(sink({ table: 'lacking' }), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /lacks the default row's column\(s\) payload, qos, retain, timestamp/.test(e.message));
    await assert.rejects(sink({ table: 'nowhere' }), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /does not exist.*create_table/.test(e.message));
    const wrong = 'Secret-That-Must-Not-Leak';
    await assert.rejects(sink({ table: 'x', password: wrong }), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /1045/.test(e.message) && !e.message.includes(wrong));
  });
});

describe('upsert', () => {
  test('default row with conflict_columns: one row per topic holding the last record, within a batch and across batches', async () => {
    const s = await sink({ table: 'status', create_table: true, enable_upsert: true, conflict_columns: 'topic' });
    const t = (id: string, topic: string, payload: string): SinkRecord => rec(id, payload, { topic });
    assert.deepEqual(await s.sendBatch([t('u1', 'dev/1', 'on'), t('u2', 'dev/2', 'on'), t('u3', 'dev/1', 'off')]), { failed: [] });
    assert.deepEqual(await s.sendBatch([t('u4', 'dev/2', 'idle')]), { failed: [] });
    assert.deepEqual(await rows('SELECT topic, payload FROM status ORDER BY topic'), [{ topic: 'dev/1', payload: 'off' }, { topic: 'dev/2', payload: 'idle' }]);
  });

  test("RobustMQ's positional template with enable_upsert: (record_key, payload, timestamp), updated on the key", async () => {
    await db.query('CREATE TABLE mqtt_messages (record_key VARCHAR(255) NOT NULL, payload TEXT, timestamp BIGINT NOT NULL, PRIMARY KEY (record_key))');
    const s = await sink({ table: 'mqtt_messages', sql_template: 'INSERT INTO mqtt_messages (record_key, payload, timestamp) VALUES (?, ?, ?)', enable_upsert: true, conflict_columns: 'record_key' });
    const r1 = rec('k1', 'first', { topic: 'a/b' });
    assert.deepEqual(await s.sendBatch([r1, { ...r1, payload: Buffer.from('second'), timestamp: r1.timestamp + 5000 }]), { failed: [] });
    const got = await rows('SELECT record_key, payload, timestamp FROM mqtt_messages');
    assert.equal(got.length, 1);
    assert.equal(got[0]?.record_key, 'k1');
    assert.equal(Number(got[0]?.timestamp), Math.floor((r1.timestamp + 5000) / 1000), 'seconds, as RobustMQ binds');
    assert.deepEqual(JSON.parse(String(got[0]?.payload)), { id: 'k1', topic: 'a/b', payload: 'second', payload_encoding: 'utf8', qos: 1, retain: false, timestamp: r1.timestamp + 5000, offset: 1 });
  });
});

describe('sql_template', () => {
  test('named placeholders are bound as parameters (a quote in the payload is data, not SQL); a record without a value or with a bad value fails alone', async () => {
    await db.query('CREATE TABLE readings (device VARCHAR(64), temp DECIMAL(6,2) NOT NULL, note TEXT)');
    const s = await sink({ table: 'readings', sql_template: 'INSERT INTO readings (device, temp, note) VALUES (${topic[1]}, ${payload.temp}, ${payload.note:-none})' });
    const batch = [
      rec('n1', '{"temp": 21.5, "note": "it\'s fine\'); DROP TABLE readings; --"}', { topic: 'dev/1' }),
      rec('n2', '{"note": "no temp"}', { topic: 'dev/2' }),
      rec('n3', '{"temp": "hot"}', { topic: 'dev/3' }),
      rec('n4', '{"temp": 19}', { topic: 'dev/4' }),
    ];
    const r = await s.sendBatch(batch);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent'], [2, 'permanent']], JSON.stringify(r.failed.map((f) => f.error.message)));
    assert.match(r.failed[0]?.error.message ?? '', /\$\{payload\.temp\} has no value/);
    assert.deepEqual(await rows('SELECT device, temp, note FROM readings ORDER BY device'), [
      { device: '1', temp: '21.50', note: "it's fine'); DROP TABLE readings; --" },
      { device: '4', temp: '19.00', note: 'none' },
    ]);
  });
});
