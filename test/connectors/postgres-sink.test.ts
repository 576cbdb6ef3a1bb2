// Integration tests of the postgres sink against a real PostgreSQL 15, everything read back with
// the pg client: the default row (values, types, a redelivered batch adding nothing), a poison
// row isolated by the core's bisection, RobustMQ's positional template, a named template, upsert
// on conflict_columns, one INSERT per record, and what init says about a table that does not fit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { sendWithBisect } from '../../src/core/send-with-bisect.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { SinkError, type ConnectorSink, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { startService, type RunningService } from '../harness/services.js';

const ctx: SinkContext = { tenant: 'default', connectorName: 'pg-test', log: () => undefined };
const type = parseConnectorType('postgres');
let svc: RunningService;
let db: pg.Client;
let base: Record<string, unknown>;
const open: ConnectorSink[] = [];

before(async () => {
  svc = await startService('postgres');
  const e = svc.env;
  base = { host: e.SLUICE_TEST_POSTGRES_HOST, port: Number(e.SLUICE_TEST_POSTGRES_PORT), database: 'postgres', username: e.SLUICE_TEST_POSTGRES_USER, password: e.SLUICE_TEST_POSTGRES_PASSWORD };
  db = new pg.Client({ host: e.SLUICE_TEST_POSTGRES_HOST, port: Number(e.SLUICE_TEST_POSTGRES_PORT), user: e.SLUICE_TEST_POSTGRES_USER, password: e.SLUICE_TEST_POSTGRES_PASSWORD, database: 'postgres' });
  await db.connect();
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

const rows = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => (await db.query<T>(sql)).rows;

describe('default row', () => {
  test('create_table: validate passes before the table exists; every column as documented; a redelivered batch adds no rows', async () => {
    const unstarted = await openSink(type, { ...base, table: 'Default_Rows', create_table: true }, ctx);
    await unstarted.validate();
    await assert.rejects(openSink(type, { ...base, table: 'Default_Rows' }, ctx).then((v) => v.validate()), /does not exist/);
    const s = await sink({ table: 'Default_Rows', create_table: true });
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    const batch = [
      rec('a', '{"temp": 21.5, "big": 12345678901234567890}', { qos: 2, retain: true, properties: { contentType: 'application/json', userProperties: { site: 'x' }, correlationData: Buffer.from('c1') } }),
      rec('b', binary),
      rec('c', 'plain text, not JSON'),
      rec('d', Buffer.from('nul\u0000inside')),
    ];
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.deepEqual(await s.sendBatch(batch), { failed: [] }, 'the redelivery is accepted');
    const got = await rows<Record<string, unknown>>('SELECT id, topic, payload, payload_bytes, payload_binary, payload_json, qos, retain, "timestamp", properties FROM default_rows ORDER BY id');
    assert.equal(got.length, 4, 'one row per record id after the redelivery');
    const [a, b, c, d] = got as Record<string, unknown>[];
    assert.equal(a?.topic, 'sensors/a/data');
    assert.equal(a?.payload, '{"temp": 21.5, "big": 12345678901234567890}');
    assert.equal(a?.payload_binary, false);
    assert.equal(a?.payload_bytes, null);
    assert.deepEqual((await rows<{ t: string }>("SELECT payload_json->>'big' AS t FROM default_rows WHERE id = 'a'"))[0]?.t, '12345678901234567890', 'jsonb keeps every digit');
    assert.equal(a?.qos, 2);
    assert.equal(a?.retain, true);
    assert.equal((a?.timestamp as Date).getTime(), batch[0]?.timestamp, 'timestamp to the ms');
    assert.deepEqual(a?.properties, { content_type: 'application/json', user_properties: { site: 'x' }, correlation_data: Buffer.from('c1').toString('base64') });
    assert.equal(b?.payload, null);
    assert.equal(b?.payload_binary, true);
    assert.deepEqual(b?.payload_bytes, binary);
    assert.equal(b?.payload_json, null);
    assert.equal(c?.payload, 'plain text, not JSON');
    assert.equal(c?.payload_json, null, 'not JSON: no payload_json');
    assert.equal(c?.properties, null);
    assert.equal(d?.payload_binary, true, 'text with NUL cannot be a PostgreSQL text: kept as bytes');
    assert.deepEqual(d?.payload_bytes, Buffer.from('nul\u0000inside'));
    const types = await rows<{ column_name: string; data_type: string }>("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'default_rows' AND column_name IN ('timestamp', 'payload_json')");
    assert.deepEqual(Object.fromEntries(types.map((t) => [t.column_name, t.data_type])), { timestamp: 'timestamp with time zone', payload_json: 'jsonb' });
  });

  test('a poison row is a permanent failure of that record alone, found by bisection; the rest are written once', async () => {
    await db.query(`CREATE TABLE checked (id text PRIMARY KEY, topic text, payload text, qos smallint, retain boolean, "timestamp" timestamptz(3), n_ok boolean,
      CONSTRAINT no_poison CHECK (payload NOT LIKE '%poison%'))`);
    const s = await sink({ table: 'checked' });
    const batch = Array.from({ length: 20 }, (_, i) => rec(`p${i}`, i === 13 ? 'this is poison' : `{"i":${i}}`));
    let sends = 0;
    const failures = await sendWithBisect(s, batch, () => sends++);
    assert.deepEqual([...failures.keys()], [13]);
    const err = failures.get(13) as SinkError;
    assert.equal(err.kind, 'permanent');
    assert.match(err.message, /no_poison/);
    assert.match(err.message, /SQLSTATE 23514/);
    assert.ok(sends > 2, 'the batch was split');
    const ids = (await rows<{ id: string }>('SELECT id FROM checked')).map((r) => r.id).sort();
    assert.deepEqual(ids, batch.filter((_, i) => i !== 13).map((r) => r.id).sort());
  });

  test('a payload that is not text, into a table without payload_bytes: that record fails, the others are written', async () => {
    await db.query('CREATE TABLE textonly (id text PRIMARY KEY, topic text, payload text, qos smallint, retain boolean, "timestamp" timestamptz(3))');
    const s = await sink({ table: 'textonly' });
    const r = await s.sendBatch([rec('t1', 'ok'), rec('t2', Buffer.from([0xc3, 0x28])), rec('t3', 'ok too')]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /payload_bytes/);
    assert.equal((await rows('SELECT id FROM textonly')).length, 2);
  });

  test('enable_batch_insert false: one INSERT per record, each record its own outcome', async () => {
    await db.query(`CREATE TABLE single (id text PRIMARY KEY, topic text, payload text, qos smallint, retain boolean, "timestamp" timestamptz(3), CHECK (payload <> 'bad'))`);
    const s = await sink({ table: 'single', enable_batch_insert: false });
    const r = await s.sendBatch([rec('s1', 'x'), rec('s2', 'bad'), rec('s3', 'y'), rec('s1', 'x')]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.deepEqual((await rows<{ id: string }>('SELECT id FROM single ORDER BY id')).map((x) => x.id), ['s1', 's3']);
  });

  test('init names what a table misses, and a table that does not exist', async () => {
    await db.query('CREATE TABLE lacking (id text PRIMARY KEY, topic text)');
    await assert.rejects(sink({ table: 'lacking' }), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /lacks the default row's column\(s\) payload, qos, retain, timestamp/.test(e.message));
    await assert.rejects(sink({ table: 'nowhere' }), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /does not exist.*create_table/.test(e.message));
  });

  test('wrong password: unavailable, and the message holds no password', async () => {
    const wrong = 'Secret-That-Must-Not-Leak';
    await assert.rejects(sink({ table: 'x', password: wrong }), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /28P01/.test(e.message) && !e.message.includes(wrong));
  });
});

describe('upsert', () => {
  test('default row with conflict_columns: one row per topic holding the last record, within a batch and across batches', async () => {
    const s = await sink({ table: 'status', create_table: true, enable_upsert: true, conflict_columns: 'topic' });
    const t = (id: string, topic: string, payload: string): SinkRecord => rec(id, payload, { topic });
    assert.deepEqual(await s.sendBatch([t('u1', 'dev/1', 'on'), t('u2', 'dev/2', 'on'), t('u3', 'dev/1', 'off')]), { failed: [] });
    assert.deepEqual(await s.sendBatch([t('u4', 'dev/2', 'idle')]), { failed: [] });
    const got = await rows<{ topic: string; payload: string; id: string }>('SELECT topic, payload, id FROM status ORDER BY topic');
    assert.deepEqual(got, [{ topic: 'dev/1', payload: 'off', id: 'u3' }, { topic: 'dev/2', payload: 'idle', id: 'u4' }]);
  });

  test('a template with enable_upsert gets the update clause for its own columns', async () => {
    await db.query('CREATE TABLE latest (device text PRIMARY KEY, temp double precision, at bigint)');
    const s = await sink({ table: 'latest', sql_template: 'INSERT INTO latest (device, temp, at) VALUES (${topic[1]}, ${payload.temp}, ${timestamp})', enable_upsert: true, conflict_columns: 'device' });
    assert.deepEqual(await s.sendBatch([rec('l1', '{"temp": 20}', { topic: 'dev/7' }), rec('l2', '{"temp": 22.5}', { topic: 'dev/7' })]), { failed: [] });
    assert.deepEqual(await rows('SELECT device, temp FROM latest'), [{ device: '7', temp: 22.5 }]);
  });
});

describe('sql_template', () => {
  test("RobustMQ's positional $1..$5: (client_id, topic, timestamp, payload, data), client_id being the record id, timestamp in seconds", async () => {
    await db.query('CREATE TABLE mqtt_messages (client_id VARCHAR(255) NOT NULL, topic VARCHAR(500) NOT NULL, timestamp BIGINT NOT NULL, payload TEXT, data BYTEA, PRIMARY KEY (client_id, topic, timestamp))');
    const s = await sink({ table: 'mqtt_messages', sql_template: 'INSERT INTO mqtt_messages (client_id, topic, timestamp, payload, data) VALUES ($1, $2, $3, $4, $5)' });
    const r = rec('pos1', 'hello', { topic: 'a/b' });
    assert.deepEqual(await s.sendBatch([r]), { failed: [] });
    assert.deepEqual(await rows('SELECT client_id, topic, timestamp, payload, data FROM mqtt_messages'), [
      { client_id: 'pos1', topic: 'a/b', timestamp: String(Math.floor(r.timestamp / 1000)), payload: 'hello', data: Buffer.from('hello') },
    ]);
  });

  test('named placeholders are bound as parameters (a quote in the payload is data, not SQL); a record without a value or with a bad value fails alone', async () => {
    await db.query('CREATE TABLE readings (device text, temp numeric NOT NULL, note text, raw jsonb)');
    const s = await sink({ table: 'readings', sql_template: "INSERT INTO readings (device, temp, note, raw) VALUES (${topic[1]}, ${payload.temp}, ${payload.note:-none}, ${payload})" });
    const batch = [
      rec('n1', '{"temp": 21.5, "note": "it\'s fine\'); DROP TABLE readings; --"}', { topic: 'dev/1' }),
      rec('n2', '{"note": "no temp"}', { topic: 'dev/2' }),
      rec('n3', '{"temp": "hot"}', { topic: 'dev/3' }),
      rec('n4', '{"temp": 19}', { topic: 'dev/4' }),
    ];
    const r = await s.sendBatch(batch);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent'], [2, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /\$\{payload\.temp\} has no value/);
    assert.match(r.failed[1]?.error.message ?? '', /22P02/);
    assert.deepEqual(await rows('SELECT device, temp, note FROM readings ORDER BY device'), [
      { device: '1', temp: '21.5', note: "it's fine'); DROP TABLE readings; --" },
      { device: '4', temp: '19', note: 'none' },
    ]);
  });
});
