// The s3 sink against a real S3 API (the harness's S3Proxy, SigV4), read back by listing the
// bucket and getting the objects: one object per key prefix of a batch (date fields from each
// record's timestamp), JSON lines, a JSON array or gzip, the record ids and the object metadata,
// a resent batch overwriting its object, and the refusals: a wrong secret or key id, a missing
// bucket (unavailable at init), a record without a key prefix (permanent, alone).
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { decodePayload, type RecordJson } from '../../src/connectors/record-json.js';
import { s3ErrorKind } from '../../src/connectors/s3/errors.js';
import { idSegment, keyDirectory, MAX_KEY_BYTES, planObjects } from '../../src/connectors/s3/mapping.js';
import { type ConnectorSink, SinkError, type SinkRecord } from '../../src/connectors/sink.js';
import { OBJECT_KEY_TEMPLATE } from '../../src/metadata/configs/s3.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { compileTemplate } from '../../src/metadata/template.js';
import { startService, type RunningService } from '../harness/services.js';
import { s3proxyClient } from '../harness/services/s3proxy.js';
import { getObject, listKeys } from './conformance/s3.js';

const ctx = { tenant: 'default', connectorName: 's3-test', log: () => undefined };
const DAY1 = Date.UTC(2026, 2, 5, 23, 59, 59);
const DAY2 = Date.UTC(2026, 2, 6, 0, 0, 1);
const rec = (id: string, topic: string, payload: Buffer | string, over: Partial<SinkRecord> = {}): SinkRecord => ({
  id, offset: 1, topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: DAY1, ...over,
});
const plainKeys = { root: '', file_extension: 'json', compression: 'none', format: 'json_lines' } as const;

describe('s3 object planning', () => {
  test('key segments of ids: distinct ids stay distinct, safe characters stay', () => {
    assert.equal(idSegment('0a1b2c3d4e5f6a7b-42'), '0a1b2c3d4e5f6a7b-42');
    assert.equal(idSegment('0a1b-42#3'), '0a1b-42~233');
    assert.notEqual(idSegment('a~23'), idSegment('a#'));
    assert.equal(idSegment('é'), '~c3~a9');
  });

  test('root and prefix join with one / and no empty segments', () => {
    assert.equal(keyDirectory('', 'mqtt'), 'mqtt');
    assert.equal(keyDirectory('/base/', '/mqtt//a/'), 'base/mqtt/a');
    assert.equal(keyDirectory('', '/'), '');
  });

  test('records group by rendered prefix, in batch order; the name is first and last id of the group', () => {
    const t = compileTemplate('m/${topic[0]}/%Y/%m/%d', OBJECT_KEY_TEMPLATE);
    const batch = [rec('e-1', 'a/x', '1'), rec('e-2', 'b/x', '2'), rec('e-3', 'a/x', '3'), rec('e-4', 'a/x', '4', { timestamp: DAY2 })];
    const plan = planObjects(batch, t, plainKeys);
    assert.deepEqual(plan.failed, []);
    assert.deepEqual(plan.objects.map((o) => [o.key, o.indexes]), [['m/a/2026/03/05/e-1_e-3.json', [0, 2]], ['m/b/2026/03/05/e-2_e-2.json', [1]], ['m/a/2026/03/06/e-4_e-4.json', [3]]]);
    assert.deepEqual(plan.objects[0]?.metadata, { 'record-count': '2', 'first-id': 'e-1', 'last-id': 'e-3' });
  });

  test('a record without a prefix value, or a key longer than S3 takes, is refused alone as permanent', () => {
    const t = compileTemplate('m/${payload.site}', OBJECT_KEY_TEMPLATE);
    const batch = [rec('e-1', 'a', '{"site":"p"}'), rec('e-2', 'a', '{}'), rec('e-3', 'a', JSON.stringify({ site: 'x'.repeat(MAX_KEY_BYTES) }))];
    const plan = planObjects(batch, t, plainKeys);
    assert.deepEqual(plan.objects.map((o) => o.key), ['m/p/e-1_e-1.json']);
    assert.deepEqual(plan.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent'], [2, 'permanent']]);
    assert.match(plan.failed[0]?.error.message ?? '', /object_key_prefix: .*\$\{payload\.site\} has no value/);
    assert.match(plan.failed[1]?.error.message ?? '', /longer than S3's 1024/);
  });
});

describe('s3 error kinds', () => {
  const answer = (name: string, status: number): S3ServiceException => new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
  test('credentials, a missing bucket, 5xx and SlowDown are unavailable; a size or key refusal is permanent', () => {
    for (const [name, status] of [['SignatureDoesNotMatch', 403], ['InvalidAccessKeyId', 403], ['AccessDenied', 403], ['ExpiredToken', 400], ['NoSuchBucket', 404],
      ['PermanentRedirect', 301], ['AuthorizationHeaderMalformed', 400], ['SlowDown', 503], ['InternalError', 500], ['Unknown', 403], ['Unknown', 404], ['SomethingNew', 400]] as const) {
      assert.equal(s3ErrorKind(answer(name, status)), 'unavailable', `${name} ${status}`);
    }
    for (const [name, status] of [['RequestTimeout', 400], ['BadDigest', 400], ['Unknown', 429]] as const) assert.equal(s3ErrorKind(answer(name, status)), 'retriable', `${name} ${status}`);
    for (const [name, status] of [['EntityTooLarge', 400], ['KeyTooLongError', 400], ['MetadataTooLarge', 400], ['Unknown', 413]] as const) assert.equal(s3ErrorKind(answer(name, status)), 'permanent', `${name} ${status}`);
    assert.equal(s3ErrorKind(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'unavailable');
  });
});

describe('s3 sink against S3Proxy', () => {
  let svc: RunningService;
  let client: S3Client;
  let bucket: string;
  let base: Record<string, unknown>;
  const sinks: ConnectorSink[] = [];
  const sink = async (over: Record<string, unknown> = {}): Promise<ConnectorSink> => {
    const s = await openSink(parseConnectorType('s3'), { ...base, ...over }, ctx);
    sinks.push(s);
    return s;
  };
  const started = async (over: Record<string, unknown> = {}): Promise<ConnectorSink> => {
    const s = await sink(over);
    await s.init();
    return s;
  };
  const lines = (body: Buffer): RecordJson[] => body.toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as RecordJson);

  before(async () => {
    svc = await startService('s3proxy');
    client = s3proxyClient(svc.env);
    bucket = svc.env.SLUICE_TEST_S3PROXY_BUCKET as string;
    base = {
      bucket, region: svc.env.SLUICE_TEST_S3PROXY_REGION, endpoint: svc.env.SLUICE_TEST_S3PROXY_URL,
      access_key_id: svc.env.SLUICE_TEST_S3PROXY_ACCESS_KEY_ID, secret_access_key: svc.env.SLUICE_TEST_S3PROXY_SECRET_ACCESS_KEY,
    };
  });
  after(async () => {
    for (const s of sinks) await s.cleanup().catch(() => undefined);
    client?.destroy();
    await svc?.stop();
  });

  test('one object per prefix (topic level and day of each record), JSON lines with the ids, metadata, payloads exact', async () => {
    const s = await started({ object_key_prefix: 'parts/${topic[0]}/%Y/%m/%d/' });
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    const batch = [
      rec('p-1', 'plant/t', '{"t":1}'), rec('p-2', 'yard/t', 'text'), rec('p-3', 'plant/t', binary),
      rec('p-4', 'plant/t', '{"t":4}', { timestamp: DAY2, properties: { userProperties: { k: 'v' } } }),
    ];
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    const keys = (await listKeys(client, bucket, 'parts/')).sort();
    assert.deepEqual(keys, ['parts/plant/2026/03/05/p-1_p-3.json', 'parts/plant/2026/03/06/p-4_p-4.json', 'parts/yard/2026/03/05/p-2_p-2.json']);
    const first = await getObject(client, bucket, 'parts/plant/2026/03/05/p-1_p-3.json');
    assert.equal(first.contentType, 'application/x-ndjson');
    assert.equal(first.contentEncoding, undefined);
    assert.deepEqual(first.metadata, { 'record-count': '2', 'first-id': 'p-1', 'last-id': 'p-3' });
    const got = lines(first.body);
    assert.deepEqual(got.map((r) => r.id), ['p-1', 'p-3']);
    assert.deepEqual(decodePayload(got[1]?.payload as string, got[1]?.payload_encoding as 'base64'), binary);
    assert.equal(got[0]?.topic, 'plant/t');
    assert.equal(got[0]?.timestamp, DAY1);
    const day2 = lines((await getObject(client, bucket, 'parts/plant/2026/03/06/p-4_p-4.json')).body);
    assert.deepEqual(day2[0]?.properties, { user_properties: { k: 'v' } });
  });

  test('the same batch sent again overwrites its object: every record once', async () => {
    const s = await started({ object_key_prefix: 'again' });
    const batch = Array.from({ length: 50 }, (_, i) => rec(`a-${i}`, 't', `{"i":${i}}`));
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    const keys = await listKeys(client, bucket, 'again/');
    assert.deepEqual(keys, ['again/a-0_a-49.json']);
    const ids = lines((await getObject(client, bucket, keys[0] as string)).body).map((r) => r.id);
    assert.deepEqual(ids, batch.map((r) => r.id));
  });

  test('gzip: .gz name, Content-Encoding gzip, the body gunzips to the JSON lines', async () => {
    const s = await started({ object_key_prefix: 'zipped', compression: 'gzip', root: 'base', file_extension: 'log' });
    const batch = Array.from({ length: 200 }, (_, i) => rec(`z-${i}`, 't', `{"reading":${i},"pad":"${'x'.repeat(50)}"}`));
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    const keys = await listKeys(client, bucket, 'base/zipped/');
    assert.deepEqual(keys, ['base/zipped/z-0_z-199.log.gz']);
    const o = await getObject(client, bucket, keys[0] as string);
    assert.equal(o.contentEncoding, 'gzip');
    assert.ok(o.body.length < 200 * 50, `compressed: ${o.body.length} bytes`);
    assert.deepEqual(lines(gunzipSync(o.body)).map((r) => r.id), batch.map((r) => r.id));
  });

  test('json_array: the batch as one JSON array', async () => {
    const s = await started({ object_key_prefix: 'array', format: 'json_array' });
    assert.deepEqual(await s.sendBatch([rec('j-1', 't', '1'), rec('j-2', 't', '2')]), { failed: [] });
    const o = await getObject(client, bucket, 'array/j-1_j-2.json');
    assert.equal(o.contentType, 'application/json');
    assert.deepEqual((JSON.parse(o.body.toString('utf8')) as RecordJson[]).map((r) => r.id), ['j-1', 'j-2']);
  });

  test('a record without a prefix value fails alone as permanent; the others are written', async () => {
    const s = await started({ object_key_prefix: 'bysite/${payload.site}' });
    const r = await s.sendBatch([rec('s-1', 't', '{"site":"a"}'), rec('s-2', 't', 'not json'), rec('s-3', 't', '{"site":"a"}')]);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.deepEqual(await listKeys(client, bucket, 'bysite/'), ['bysite/a/s-1_s-3.json']);
  });

  test('a wrong secret, an unknown key id and a missing bucket: init fails as unavailable and says why; nothing written', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ secret_access_key: 'not-the-secret' }, /SignatureDoesNotMatch|HTTP 403/],
      [{ access_key_id: 'nobody' }, /InvalidAccessKeyId|HTTP 403/],
      [{ bucket: 'no-such-bucket' }, /HTTP 404.*create the bucket/],
    ];
    for (const [over, why] of cases) {
      const s = await sink({ ...over, object_key_prefix: 'refused' });
      await assert.rejects(s.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && why.test(e.message), JSON.stringify(over));
      await assert.rejects(s.validate(), why);
      await assert.rejects(s.sendBatch([rec('x-1', 't', '1')]), (e: unknown) => e instanceof SinkError && /not started/.test(e.message));
    }
    // the secret never shows in a message
    const s = await sink({ secret_access_key: 'hunter2-secret' });
    await assert.rejects(s.init(), (e: unknown) => e instanceof Error && !e.message.includes('hunter2'));
    assert.deepEqual(await listKeys(client, bucket, 'refused/'), []);
  });

  test('the store stopped: the batch fails as unavailable; started again, the same batch writes', async () => {
    const s = await started({ object_key_prefix: 'outage', connect_timeout_secs: 2 });
    await svc.kill();
    try {
      const r = await s.sendBatch([rec('o-1', 't', '1'), rec('o-2', 't', '2')]);
      assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[0, 'unavailable'], [1, 'unavailable']]);
      assert.match(r.failed[0]?.error.message ?? '', /ECONNREFUSED|connect/);
    } finally {
      await svc.start();
    }
    assert.deepEqual(await s.sendBatch([rec('o-1', 't', '1'), rec('o-2', 't', '2')]), { failed: [] });
    client.destroy();
    client = s3proxyClient(svc.env);
    assert.deepEqual(await listKeys(client, bucket, 'outage/'), ['outage/o-1_o-2.json']);
  });
});
