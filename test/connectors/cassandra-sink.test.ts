// The cassandra sink against a real Cassandra 5 node (harness), read back with the driver as the
// superuser: rows by id with every column of the default table (text and binary payloads, qos,
// retain, timestamp, MQTT 5 properties), a blob payload column, RobustMQ's table (msgid, arrived
// bigint, qos int, key (msgid, topic)), a redelivery overwriting its row, concurrency 1, a table
// that does not exist and a wrong password unavailable at init without the secret in the message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import cassandra from 'cassandra-driver';
import type { ConnectorSink, SinkRecord } from '../../src/connectors/sink.js';
import { SinkError } from '../../src/connectors/sink.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { startService, type RunningService } from '../harness/services.js';

const ctx = { tenant: 'default', connectorName: 'cassandra-test', log: () => undefined };
const TS = 1_790_000_000_123;
const rec = (id: string, payload: Buffer | string, over: Partial<SinkRecord> = {}): SinkRecord => ({
  id, offset: 1, topic: 'plant/line1/temp', payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: TS, ...over,
});

describe('cassandra sink against Cassandra 5', () => {
  let svc: RunningService;
  let admin: cassandra.Client;
  let base: Record<string, unknown>;
  const sinks: ConnectorSink[] = [];
  const sink = async (over: Record<string, unknown> = {}): Promise<ConnectorSink> => {
    const s = await openSink(parseConnectorType('cassandra'), { ...base, ...over }, ctx);
    sinks.push(s);
    return s;
  };
  const row = async (table: string, id: string, key = 'id') => (await admin.execute(`SELECT * FROM it.${table} WHERE ${key} = ?`, [id], { prepare: true })).first();
  const count = async (table: string) => Number((await admin.execute(`SELECT count(*) AS n FROM it.${table}`)).first().get('n'));

  before(async () => {
    svc = await startService('cassandra');
    const e = svc.env;
    const port = Number(e.SLUICE_TEST_CASSANDRA_PORT);
    admin = new cassandra.Client({
      contactPoints: [`${e.SLUICE_TEST_CASSANDRA_HOST}:${port}`], localDataCenter: e.SLUICE_TEST_CASSANDRA_DATACENTER,
      credentials: { username: e.SLUICE_TEST_CASSANDRA_ADMIN_USER as string, password: e.SLUICE_TEST_CASSANDRA_ADMIN_PASSWORD as string },
      socketOptions: { readTimeout: 30_000 },
    });
    await admin.connect();
    await admin.execute(`CREATE KEYSPACE it WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    await admin.execute('CREATE TABLE it.blobs (id text PRIMARY KEY, payload blob)');
    await admin.execute('CREATE TABLE it.robustmq (msgid text, topic text, qos int, payload text, arrived bigint, PRIMARY KEY (msgid, topic))');
    base = { nodes: [e.SLUICE_TEST_CASSANDRA_HOST], port, keyspace: 'it', table: 'messages', username: e.SLUICE_TEST_CASSANDRA_USER, password: e.SLUICE_TEST_CASSANDRA_PASSWORD, timeout_secs: 10 };
  });

  after(async () => {
    for (const s of sinks) await s.cleanup();
    await admin?.shutdown().catch(() => undefined);
    await svc?.stop();
  });

  test('create_table makes the default table; rows read back by id with every column', async () => {
    const s = await sink({ create_table: true });
    await s.init();
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    const batch = [
      rec('t-1', '{"t":21.5}'),
      rec('t-2', binary, { qos: 2, retain: true }),
      rec('t-3', 'with props', { qos: 0, properties: { contentType: 'text/plain', userProperties: { k: 'v' } } }),
    ];
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.equal(await count('messages'), 3);
    const text = await row('messages', 't-1');
    assert.equal(text.get('topic'), 'plant/line1/temp');
    assert.equal(text.get('payload'), '{"t":21.5}');
    assert.equal(text.get('payload_bytes'), null);
    assert.equal(text.get('payload_binary'), false);
    assert.equal(text.get('qos'), 1);
    assert.equal(text.get('retain'), false);
    assert.equal((text.get('timestamp') as Date).getTime(), TS);
    assert.equal(text.get('properties'), null);
    const bin = await row('messages', 't-2');
    assert.equal(bin.get('payload'), null);
    assert.deepEqual(bin.get('payload_bytes'), binary);
    assert.equal(bin.get('payload_binary'), true);
    assert.equal(bin.get('qos'), 2);
    assert.equal(bin.get('retain'), true);
    const props = JSON.parse(String((await row('messages', 't-3')).get('properties'))) as Record<string, unknown>;
    assert.deepEqual(props, { content_type: 'text/plain', user_properties: { k: 'v' } });
  });

  test('a redelivered record overwrites its row; concurrency 1 writes every record', async () => {
    const s = await sink({ concurrency: 1 });
    await s.init();
    const batch = Array.from({ length: 50 }, (_, i) => rec(`r-${i}`, `v1-${i}`));
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.deepEqual(await s.sendBatch(batch.map((r) => ({ ...r, payload: Buffer.from(`v2-${r.id}`) }))), { failed: [] });
    const rows = (await admin.execute('SELECT id, payload FROM it.messages')).rows.filter((r) => String(r.get('id')).startsWith('r-'));
    assert.equal(rows.length, 50);
    for (const r of rows) assert.equal(r.get('payload'), `v2-${String(r.get('id'))}`);
  });

  test('a blob payload column takes the bytes of text and binary payloads alike', async () => {
    const s = await sink({ table: 'blobs' });
    await s.init();
    assert.deepEqual(await s.sendBatch([rec('b-1', 'text'), rec('b-2', Buffer.from([0x80, 0x81]))]), { failed: [] });
    assert.deepEqual((await row('blobs', 'b-1')).get('payload'), Buffer.from('text'));
    assert.deepEqual((await row('blobs', 'b-2')).get('payload'), Buffer.from([0x80, 0x81]));
  });

  test("RobustMQ's table: msgid and topic as key, qos int, arrived bigint in ms", async () => {
    const s = await sink({ table: 'robustmq' });
    await s.init();
    assert.deepEqual(await s.sendBatch([rec('m-1', 'hello', { qos: 2 })]), { failed: [] });
    const r = await row('robustmq', 'm-1', 'msgid');
    assert.equal(r.get('topic'), 'plant/line1/temp');
    assert.equal(r.get('qos'), 2);
    assert.equal(r.get('payload'), 'hello');
    assert.equal(Number(r.get('arrived')), TS);
  });

  test('a table that does not exist and a wrong password are unavailable at init, without the secret', async () => {
    const missing = await sink({ table: 'nope' });
    await assert.rejects(missing.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /does not exist/.test(e.message));
    const wrong = await sink({ password: 'not-the-password-123' });
    await assert.rejects(wrong.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && !e.message.includes('not-the-password-123') && /username and password/.test(e.message));
  });
});
