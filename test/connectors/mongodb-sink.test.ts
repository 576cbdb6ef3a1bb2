// The mongodb sink against a real FerretDB (harness; MongoDB wire protocol, SCRAM on), read back
// with the MongoDB driver: documents found by `_id` = record id, the payload forms (sub-document,
// string, binary with its flag), the timestamp a BSON date, MQTT 5 properties; a redelivered
// batch stored once (unordered and ordered); a document the server refuses (a unique index) or
// one too large failing alone; a wrong password refused as unavailable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Binary, type Collection, type Db, MongoClient } from 'mongodb';
import { type ConnectorSink, SinkError, type SinkRecord } from '../../src/connectors/sink.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { startService, type RunningService } from '../harness/services.js';

const ctx = { tenant: 'default', connectorName: 'mongodb-test', log: () => undefined };
const rec = (id: string, payload: Buffer | string, over: Partial<SinkRecord> = {}): SinkRecord => ({
  id, offset: 1, topic: 'plant/boiler-1/temp', payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: 1_790_000_000_123, ...over,
});

interface Stored {
  _id: string;
  topic: string;
  payload: unknown;
  payload_encoding: string;
  qos: number;
  retain: boolean;
  timestamp: Date;
  properties?: Record<string, unknown>;
}

describe('mongodb sink against FerretDB', () => {
  let svc: RunningService;
  let client: MongoClient;
  let db: Db;
  let base: Record<string, unknown>;
  const sinks: ConnectorSink[] = [];
  const sink = async (over: Record<string, unknown> = {}): Promise<ConnectorSink> => {
    const s = await openSink(parseConnectorType('mongodb'), { ...base, ...over }, ctx);
    sinks.push(s);
    return s;
  };
  const coll = (name: string): Collection<Stored> => db.collection<Stored>(name);
  const ids = async (name: string): Promise<string[]> => (await coll(name).find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray()).map((d) => d._id);

  before(async () => {
    svc = await startService('ferretdb');
    const e = svc.env;
    client = new MongoClient(e.SLUICE_TEST_FERRETDB_URL as string, { directConnection: true, serverSelectionTimeoutMS: 5000 });
    await client.connect();
    db = client.db('readback');
    base = {
      host: e.SLUICE_TEST_FERRETDB_HOST, port: Number(e.SLUICE_TEST_FERRETDB_PORT), database: 'readback', collection: 'messages',
      username: e.SLUICE_TEST_FERRETDB_USER, password: e.SLUICE_TEST_FERRETDB_PASSWORD,
      connect_timeout_secs: 5, server_selection_timeout_secs: 5, socket_timeout_secs: 30,
    };
  });
  after(async () => {
    for (const s of sinks) await s.cleanup();
    await client?.close();
    await svc?.stop();
  });

  test('each record is one document found by its _id: topic, payload forms, qos, retain, a Date, MQTT 5 properties', async () => {
    const s = await sink();
    await s.validate();
    await s.init();
    const binary = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    const batch = [
      rec('doc-json', '{"temp": 21.5, "unit": "C", "tags": ["a", "b"]}', { qos: 2, retain: true, properties: { contentType: 'application/json', payloadFormatIndicator: true, responseTopic: 'reply/1', correlationData: Buffer.from('corr'), userProperties: { unit: 'C', tag: ['x', 'y'] }, messageExpiryInterval: 60 } }),
      rec('doc-text', 'on', { qos: 0, topic: 'plant/boiler-1/state' }),
      rec('doc-bin', binary, { topic: 'plant/boiler-1/raw', timestamp: 1_790_000_000_999 }),
      rec('doc-dollar', '{"$set": 1}'),
    ];
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.equal(await coll('messages').countDocuments({}), 4);

    const json = await coll('messages').findOne({ _id: 'doc-json' });
    assert.ok(json);
    assert.equal(json.topic, 'plant/boiler-1/temp');
    assert.deepEqual(json.payload, { temp: 21.5, unit: 'C', tags: ['a', 'b'] });
    assert.equal(json.payload_encoding, 'json');
    assert.equal(json.qos, 2);
    assert.equal(json.retain, true);
    assert.ok(json.timestamp instanceof Date, 'timestamp is a BSON date');
    assert.equal(json.timestamp.getTime(), 1_790_000_000_123);
    const p = json.properties;
    assert.ok(p);
    assert.deepEqual(p.user_properties, { unit: 'C', tag: ['x', 'y'] });
    assert.equal(p.content_type, 'application/json');
    assert.equal(p.payload_format_indicator, true);
    assert.equal(p.response_topic, 'reply/1');
    assert.equal(p.message_expiry_interval, 60);
    assert.ok(p.correlation_data instanceof Binary);
    assert.equal(Buffer.from(p.correlation_data.buffer).toString(), 'corr');

    const txt = await coll('messages').findOne({ _id: 'doc-text' });
    assert.deepEqual([txt?.payload, txt?.payload_encoding, txt?.qos, txt?.retain, txt?.properties], ['on', 'utf8', 0, false, undefined]);
    const bin = await coll('messages').findOne({ _id: 'doc-bin' });
    assert.equal(bin?.payload_encoding, 'binary');
    assert.ok(bin?.payload instanceof Binary);
    assert.ok(Buffer.from(bin.payload.buffer).equals(binary), 'binary payload byte for byte');
    assert.equal(bin.timestamp.getTime(), 1_790_000_000_999);
    const dollar = await coll('messages').findOne({ _id: 'doc-dollar' });
    assert.deepEqual([dollar?.payload, dollar?.payload_encoding], ['{"$set": 1}', 'utf8']);

    // the sub-document is queryable as documented
    assert.deepEqual((await coll('messages').find({ 'payload.temp': { $gt: 20 } }).toArray()).map((d) => d._id), ['doc-json']);
    assert.deepEqual((await coll('messages').find({ timestamp: { $gte: new Date(1_790_000_000_500) } }).toArray()).map((d) => d._id), ['doc-bin']);
  });

  test('a redelivered batch is not stored twice: the duplicate _id counts as written (unordered and ordered)', async () => {
    for (const ordered of [false, true]) {
      const collection = ordered ? 'redeliver_ordered' : 'redeliver';
      const s = await sink({ collection, ordered_insert: ordered });
      await s.init();
      const first = [rec('r-1', '{"n":1}'), rec('r-2', '{"n":2}')];
      assert.deepEqual(await s.sendBatch(first), { failed: [] });
      // the same records again, with new ones between and after them
      const again = [rec('r-0', '{"n":0}'), ...first, rec('r-3', '{"n":3}')];
      assert.deepEqual(await s.sendBatch(again), { failed: [] }, `ordered=${ordered}`);
      assert.deepEqual(await s.sendBatch(again), { failed: [] }, `ordered=${ordered}: all four already stored`);
      assert.deepEqual(await ids(collection), ['r-0', 'r-1', 'r-2', 'r-3']);
      assert.deepEqual((await coll(collection).findOne({ _id: 'r-2' }))?.payload, { n: 2 });
    }
  });

  test('a document the server refuses (another unique index) fails alone as permanent; the rest are stored', async () => {
    await coll('uniq').createIndex({ 'payload.serial': 1 }, { unique: true, sparse: true });
    await coll('uniq').insertOne({ _id: 'seed', payload: { serial: 'S-1' } } as Stored);
    const s = await sink({ collection: 'uniq' });
    await s.init();
    const r = await s.sendBatch([rec('u-0', '{"serial":"S-0"}'), rec('u-1', '{"serial":"S-1"}'), rec('u-2', 'plain'), rec('u-3', '{"serial":"S-3"}')]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /11000/);
    assert.deepEqual(await ids('uniq'), ['seed', 'u-0', 'u-2', 'u-3']);

    // ordered: the refused one fails, the ones after it were not attempted and are sent again (unavailable)
    const o = await sink({ collection: 'uniq', ordered_insert: true });
    await o.init();
    const ro = await o.sendBatch([rec('o-0', '{"serial":"O-0"}'), rec('o-1', '{"serial":"S-1"}'), rec('o-2', '{"serial":"O-2"}')]);
    assert.deepEqual(ro.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent'], [2, 'unavailable']]);
    assert.deepEqual((await ids('uniq')).filter((id) => id.startsWith('o-')), ['o-0']);
    assert.deepEqual(await o.sendBatch([rec('o-2', '{"serial":"O-2"}')]), { failed: [] }, 'sent again by itself, it is stored');
  });

  test('w: "0" asks for no answer: a document the server refuses still counts as written (as documented)', async () => {
    await coll('unacked').createIndex({ 'payload.serial': 1 }, { unique: true, sparse: true });
    await coll('unacked').insertOne({ _id: 'seed', payload: { serial: 'S-1' } } as Stored);
    const s = await sink({ collection: 'unacked', w: '0' });
    await s.init();
    assert.deepEqual(await s.sendBatch([rec('w-0', '{"serial":"S-0"}'), rec('w-1', '{"serial":"S-1"}'), rec('w-2', '{"serial":"S-2"}')]), { failed: [] });
    let stored: string[] = [];
    for (let i = 0; i < 50 && stored.length < 3; i++) {
      stored = await ids('unacked');
      if (stored.length < 3) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(stored, ['seed', 'w-0', 'w-2'], 'w-1 was refused by the server, unseen');
  });

  test('a document over 16 MiB fails alone as permanent, before anything is sent for it', async () => {
    const s = await sink({ collection: 'large' });
    await s.init();
    const big = Buffer.alloc(16 * 1024 * 1024 + 1, 0x61);
    const r = await s.sendBatch([rec('l-0', 'small'), rec('l-1', big), rec('l-2', 'small too')]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /larger than MongoDB's 16777216 bytes/);
    assert.deepEqual(await ids('large'), ['l-0', 'l-2']);
  });

  test('a wrong password: validate and init refuse it as unavailable, naming the user and never the password', async () => {
    const s = await sink({ password: 'wrong-secret-9' });
    for (const step of [() => s.validate(), () => s.init()]) {
      await assert.rejects(step, (e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        assert.match(msg, /Authentication failed/);
        assert.match(msg, /as "sluice"/);
        assert.doesNotMatch(msg, /wrong-secret-9/);
        return true;
      });
    }
    await assert.rejects(() => s.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable');
    await assert.rejects(() => s.sendBatch([rec('never', 'x')]), /not started/);
    assert.equal(await coll('messages').countDocuments({ _id: 'never' }), 0);
  });
});
