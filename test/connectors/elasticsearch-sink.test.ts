// The elasticsearch sink: its config rules, its mapping (document and index name), the _bulk
// outcome rules, and read-back tests against a real OpenSearch 2.19 node (the harness's, behind
// its authenticating proxy): documents fetched by id with every field, counts, a refused document
// reported alone, a redelivered batch not duplicated, the three auth types, per-topic indices,
// and end to end through Sluice (MQTT → Sluice → OpenSearch) with refused records dead-lettered.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bulkOutcome, itemKind } from '../../src/connectors/elasticsearch/errors.js';
import { documentLine, IndexMapper, payloadField } from '../../src/connectors/elasticsearch/mapping.js';
import { SinkError, type ConnectorSink, type SinkRecord } from '../../src/connectors/sink.js';
import { checkConfig } from '../../src/metadata/config-validation.js';
import { elasticsearchType } from '../../src/metadata/configs/elasticsearch.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { ensureOpenssl, startService, type RunningService } from '../harness/services.js';
import { Api, publishNumbered, startMosquitto } from '../helpers/runtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const rec = (payload: Buffer | string, over: Partial<SinkRecord> = {}): SinkRecord => ({
  id: 'r-1', offset: 1, topic: 'site/Dev7/temp', payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: 1_790_000_000_123, ...over,
});
const permanent = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof SinkError && e.kind === 'permanent' && pattern.test(e.message), String(pattern));
};
/** A TLS front of `upstream` with a fresh self-signed certificate for 127.0.0.1 (in `dir`). */
async function tlsFront(dir: string, upstream: string): Promise<{ port: number; caFile: string; server: HttpsServer }> {
  const openssl = await ensureOpenssl();
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'ca.pem')];
  execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const up = httpRequest(`${upstream}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (u) => {
      res.writeHead(u.statusCode ?? 502, u.headers);
      u.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { port: (server.address() as AddressInfo).port, caFile: cert, server };
}

const rules = (config: Record<string, unknown>): string[] => checkConfig(elasticsearchType, config).errors.map((e) => `${e.path}: ${e.rule}`);

describe('elasticsearch config rules', () => {
  const base = { url: 'http://localhost:9200', index: 'mqtt' };
  test('auth_type needs its credentials; the other types\' may stay set', () => {
    assert.deepEqual(rules(base), []);
    assert.deepEqual(rules({ ...base, auth_type: 'basic', username: 'u', password: 'p' }), []);
    assert.deepEqual(rules({ ...base, auth_type: 'apikey', api_key: 'k' }), []);
    assert.match(rules({ ...base, auth_type: 'basic', username: 'u' }).join(), /password: is required when auth_type is basic/);
    assert.match(rules({ ...base, auth_type: 'apikey' }).join(), /api_key: is required when auth_type is apikey/);
    assert.match(rules({ ...base, auth_type: 'basic', password: 'p' }).join(), /username: is required when auth_type is basic/);
    // the other types' credentials may stay set, as in RobustMQ: only auth_type's are sent
    assert.deepEqual(rules({ ...base, auth_type: 'apikey', api_key: 'k', username: 'u', password: 'p' }), []);
    assert.match(rules({ ...base, auth_type: 'ApiKey', api_key: 'k' }).join(), /auth_type/);
  });
  test('index: a known template, lower case, no forbidden characters; url: no credentials, query or long names', () => {
    assert.deepEqual(rules({ ...base, index: 'mqtt-${topic[0]}' }), []);
    assert.match(rules({ ...base, index: 'Mqtt' }).join(), /lower case/);
    assert.match(rules({ ...base, index: 'a b' }).join(), /must not contain/);
    assert.match(rules({ ...base, index: '_x' }).join(), /must not start with/);
    assert.match(rules({ ...base, index: 'x-${nope}' }).join(), /unknown variable \$\{nope\}/);
    assert.match(rules({ ...base, url: 'http://u:p@localhost:9200' }).join(), /credentials/);
    assert.match(rules({ ...base, url: 'http://localhost:9200/?pretty' }).join(), /query/);
    assert.match(rules({ ...base, url: `http://${'h'.repeat(510)}` }).join(), /512/);
    assert.match(rules({ ...base, ca_cert_path: '/a.pem', tls_ca: 'PEM' }).join(), /either ca_cert_path or tls_ca/);
    assert.match(rules({ ...base, timeout_secs: 0 }).join(), /timeout_secs/);
    assert.match(rules({ ...base, max_retries: 11 }).join(), /max_retries/);
  });
});

describe('elasticsearch mapping', () => {
  test('payload: a JSON object as its own text in payload (one line, big integers exact); other text, or base64 of other bytes, in payload_text', () => {
    assert.deepEqual(payloadField(Buffer.from('{\n  "n": 12345678901234567890,\r\n  "b": "x\\ny"\n}\n')), { field: 'payload', json: '{   "n": 12345678901234567890,   "b": "x\\ny" }', encoding: 'json' });
    assert.deepEqual(payloadField(Buffer.from('[1,2]')), { field: 'payload_text', json: '"[1,2]"', encoding: 'utf8' });
    assert.deepEqual(payloadField(Buffer.from('{not json')), { field: 'payload_text', json: '"{not json"', encoding: 'utf8' });
    assert.deepEqual(payloadField(Buffer.from('\uFEFF{"a":1}')), { field: 'payload_text', json: JSON.stringify('\uFEFF{"a":1}'), encoding: 'utf8' });
    assert.deepEqual(payloadField(Buffer.from([0xff, 0x00, 0xfe])), { field: 'payload_text', json: '"/wD+"', encoding: 'base64' });
  });
  test('the document: topic, payload, qos, retain, ISO timestamp, MQTT 5 properties', () => {
    const doc = JSON.parse(documentLine(rec('{"t":21.5}', { properties: { contentType: 'application/json', correlationData: Buffer.from('c1'), userProperties: { site: 'north' }, messageExpiryInterval: 60 } }))) as Record<string, unknown>;
    assert.deepEqual(doc, {
      topic: 'site/Dev7/temp', payload: { t: 21.5 }, payload_encoding: 'json', qos: 1, retain: false, timestamp: '2026-09-21T14:13:20.123Z',
      properties: { content_type: 'application/json', correlation_data: Buffer.from('c1').toString('base64'), user_properties: { site: 'north' }, message_expiry_interval: 60 },
    });
    assert.equal(documentLine(rec('x')).includes('properties'), false);
  });
  test('index names: variables lower-cased, fallbacks, refusals named', () => {
    assert.equal(new IndexMapper('mqtt-${topic[1]}').indexOf(rec('x')), 'mqtt-dev7');
    assert.equal(new IndexMapper('mqtt-${topic[5]:-Other}').indexOf(rec('x')), 'mqtt-other');
    permanent(() => new IndexMapper('mqtt-${topic[5]}').indexOf(rec('x')), /topic\[5\]/);
    permanent(() => new IndexMapper('mqtt-${payload.k}').indexOf(rec('{"k":"a b"}')), /must not contain/);
    permanent(() => new IndexMapper('${payload.k}').indexOf(rec('{"k":"_x"}')), /must not start with/);
    permanent(() => new IndexMapper('${payload.k}').indexOf(rec(JSON.stringify({ k: 'x'.repeat(300) }))), /longer than 255 bytes/);
    const item = new IndexMapper('m').item(rec('{"a":1}', { id: 'id-"1"' }));
    assert.deepEqual(item.lines.split('\n').slice(0, 1).map((l) => JSON.parse(l) as unknown), [{ index: { _index: 'm', _id: 'id-"1"' } }]);
    assert.equal(item.lines.split('\n').length, 3, 'two lines, each ending in \\n');
  });
});

describe('elasticsearch _bulk outcomes', () => {
  const ids = ['a', 'b', 'c'];
  const ok = (id: string) => ({ index: { _id: id, status: 201 } });
  const refused = (id: string, status: number, type: string) => ({ index: { _id: id, status, error: { type, reason: `${type} reason`, caused_by: { type: 'cause', reason: 'why' } } } });
  const answer = (status: number, body: unknown, retryAfter: string | null = null) => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body), retryAfter });
  const thrown = (fn: () => unknown): SinkError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof SinkError) return e;
      throw e;
    }
    throw new Error('did not throw');
  };

  test('each refused item is its record\'s outcome: content → permanent, throttling → retriable, blocked index → unavailable', () => {
    assert.deepEqual(bulkOutcome('bulk', answer(200, { errors: false }), ids), []);
    assert.deepEqual(bulkOutcome('bulk', answer(200, { errors: true, items: [ok('a'), ok('b'), ok('c')] }), ids), []);
    const failed = bulkOutcome('bulk', answer(200, { errors: true, items: [refused('a', 400, 'mapper_parsing_exception'), ok('b'), refused('c', 429, 'es_rejected_execution_exception')] }), ids);
    assert.deepEqual(failed.map((f) => [f.index, f.error.kind]), [[0, 'permanent'], [2, 'retriable']]);
    assert.match(failed[0]?.error.message ?? '', /document "a": 400 mapper_parsing_exception: mapper_parsing_exception reason \(cause: why\)/);
    for (const [status, type, kind] of [
      [400, 'document_parsing_exception', 'permanent'], [400, 'strict_dynamic_mapping_exception', 'permanent'], [400, 'illegal_argument_exception', 'permanent'],
      [400, 'invalid_index_name_exception', 'permanent'], [429, 'circuit_breaking_exception', 'retriable'], [429, 'x', 'retriable'],
      [403, 'cluster_block_exception', 'unavailable'], [429, 'cluster_block_exception', 'unavailable'], [404, 'index_not_found_exception', 'unavailable'],
      [503, 'unavailable_shards_exception', 'unavailable'], [403, 'security_exception', 'unavailable'], [500, 'x', 'unavailable'],
    ] as const) assert.equal(itemKind(status, type), kind, `${status} ${type}`);
  });
  test('answers about the whole request: credentials, 5xx → unavailable; 429 → retriable with Retry-After; 400/413 → permanent (bisected)', () => {
    assert.equal(thrown(() => bulkOutcome('bulk', answer(401, { error: { type: 'security_exception', reason: 'unable to authenticate' }, status: 401 }), ids)).kind, 'unavailable');
    assert.match(thrown(() => bulkOutcome('bulk', answer(401, ''), ids)).message, /check auth_type/);
    assert.equal(thrown(() => bulkOutcome('bulk', answer(403, ''), ids)).kind, 'unavailable');
    assert.equal(thrown(() => bulkOutcome('bulk', answer(502, 'bad gateway'), ids)).kind, 'unavailable');
    assert.equal(thrown(() => bulkOutcome('bulk', answer(404, ''), ids)).kind, 'unavailable');
    const throttled = thrown(() => bulkOutcome('bulk', answer(429, '', '3'), ids));
    assert.deepEqual([throttled.kind, throttled.retryAfterMs], ['retriable', 3000]);
    assert.equal(thrown(() => bulkOutcome('bulk', answer(413, ''), ids)).kind, 'permanent');
    assert.equal(thrown(() => bulkOutcome('bulk', answer(400, { error: { type: 'illegal_argument_exception', reason: 'Malformed action/metadata line' } }), ids)).kind, 'permanent');
  });
  test('an answer that is not about this batch: unavailable (nothing known written, a repeat is harmless)', () => {
    assert.equal(thrown(() => bulkOutcome('bulk', answer(200, '<html>'), ids)).kind, 'unavailable');
    assert.equal(thrown(() => bulkOutcome('bulk', answer(200, { errors: true, items: [ok('a')] }), ids)).kind, 'unavailable');
    assert.equal(thrown(() => bulkOutcome('bulk', answer(200, { errors: true, items: [ok('a'), ok('x'), ok('c')] }), ids)).kind, 'unavailable');
  });
});

describe('elasticsearch sink against OpenSearch 2.19', () => {
  let os: RunningService;
  let node: string;
  const open: ConnectorSink[] = [];
  const ctx = { tenant: 'default', connectorName: 'es-test', log: () => undefined };

  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${node}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as T };
  };
  const count = async (index: string): Promise<number> => {
    await call('POST', `/${index}/_refresh`);
    return (await call<{ count: number }>('GET', `/${index}/_count`)).body.count;
  };
  const doc = async (index: string, id: string) => (await call<{ found: boolean; _version: number; _source: Record<string, unknown> }>('GET', `/${index}/_doc/${encodeURIComponent(id)}`)).body;
  const sink = async (config: Record<string, unknown>): Promise<ConnectorSink> => {
    const s = await openSink(elasticsearchType, config, ctx);
    open.push(s);
    return s;
  };
  const basic = (index: string) => ({ url: os.env.SLUICE_TEST_OPENSEARCH_URL, index, auth_type: 'basic', username: os.env.SLUICE_TEST_OPENSEARCH_USER, password: os.env.SLUICE_TEST_OPENSEARCH_PASSWORD, timeout_secs: 10 });
  const records = (prefix: string, n: number, payload: (i: number) => Buffer | string, topic = (i: number) => `plant/line${i % 3}/t`): SinkRecord[] =>
    Array.from({ length: n }, (_, i) => rec(payload(i), { id: `${prefix}-${i}`, offset: i + 1, topic: topic(i), timestamp: 1_790_000_000_000 + i }));

  before(async () => {
    os = await startService('opensearch');
    node = os.env.SLUICE_TEST_OPENSEARCH_DIRECT_URL as string;
  });
  after(async () => {
    for (const s of open) await s.cleanup().catch(() => undefined);
    await os?.stop();
  });

  test('every record arrives once, fetched by id with every field; a redelivered batch overwrites instead of duplicating', async () => {
    const s = await sink(basic('readback'));
    await s.init();
    const payloads = (i: number): Buffer | string => (i % 3 === 0 ? JSON.stringify({ seq: i, temp: 20 + i / 10 }) : i % 3 === 1 ? `text ${i}` : Buffer.from([0xff, i % 256, 0x00]));
    const batch = records('rb', 300, payloads);
    batch[4] = { ...(batch[4] as SinkRecord), retain: true, qos: 2, properties: { userProperties: { site: 'north', tags: ['a', 'b'] }, contentType: 'text/plain', correlationData: Buffer.from('corr') } };
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.equal(await count('readback'), 300);
    const json = await doc('readback', 'rb-3');
    assert.deepEqual(json._source, { topic: 'plant/line0/t', payload: { seq: 3, temp: 20.3 }, payload_encoding: 'json', qos: 1, retain: false, timestamp: new Date(1_790_000_000_003).toISOString() });
    const text = await doc('readback', 'rb-4');
    assert.deepEqual(text._source, {
      topic: 'plant/line1/t', payload_text: 'text 4', payload_encoding: 'utf8', qos: 2, retain: true, timestamp: new Date(1_790_000_000_004).toISOString(),
      properties: { content_type: 'text/plain', correlation_data: Buffer.from('corr').toString('base64'), user_properties: { site: 'north', tags: ['a', 'b'] } },
    });
    const bin = await doc('readback', 'rb-5');
    assert.deepEqual([bin._source.payload_encoding, Buffer.from(bin._source.payload_text as string, 'base64')], ['base64', Buffer.from([0xff, 5, 0x00])]);
    // the mapping Elasticsearch inferred: timestamp is a date, so range queries and Kibana work on it
    const mapping = (await call<Record<string, { mappings: { properties: Record<string, { type?: string }> } }>>('GET', '/readback/_mapping')).body;
    assert.equal(mapping.readback?.mappings.properties.timestamp?.type, 'date');
    const inRange = (await call<{ count: number }>('POST', '/readback/_count', { query: { range: { timestamp: { gte: 1_790_000_000_000, lt: 1_790_000_000_010 } } } })).body.count;
    assert.equal(inRange, 10, 'epoch-millis range over the ISO timestamps');
    // the same batch again (a lost answer): same ids, nothing doubled, each document at version 2
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    assert.equal(await count('readback'), 300);
    assert.equal((await doc('readback', 'rb-0'))._version, 2);
    const ids = (await call<{ hits: { hits: { _id: string }[] } }>('POST', '/readback/_search', { size: 1000, _source: false })).body.hits.hits.map((h) => h._id).sort();
    assert.deepEqual(ids, batch.map((r) => r.id).sort());
  });

  test('a refused document fails alone as permanent (strict mapping, type conflict); the rest are written', async () => {
    assert.equal((await call('PUT', '/strict', { settings: { number_of_replicas: 0 }, mappings: { dynamic: 'strict', properties: { topic: { type: 'keyword' }, payload: { properties: { n: { type: 'long' } } }, payload_encoding: { type: 'keyword' }, qos: { type: 'byte' }, retain: { type: 'boolean' }, timestamp: { type: 'date' } } } })).status, 200);
    const s = await sink(basic('strict'));
    await s.init();
    const batch = records('strict', 10, (i) => JSON.stringify({ n: i }));
    batch[2] = { ...(batch[2] as SinkRecord), payload: Buffer.from('{"n":"two"}') };
    batch[7] = { ...(batch[7] as SinkRecord), payload: Buffer.from('{"n":7,"extra":true}') };
    const r = await s.sendBatch(batch);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[2, 'permanent'], [7, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /mapper_parsing_exception/);
    assert.match(r.failed[1]?.error.message ?? '', /strict_dynamic_mapping_exception/);
    assert.equal(await count('strict'), 8);
    assert.equal((await doc('strict', 'strict-2')).found, false);
  });

  test('auth types: none to the node; basic and apikey through the authenticating front; wrong or missing credentials are unavailable at init', async () => {
    const none = await sink({ url: node, index: 'auth-none' });
    await none.init();
    assert.deepEqual(await none.sendBatch(records('none', 3, (i) => `n${i}`)), { failed: [] });
    const key = await sink({ url: os.env.SLUICE_TEST_OPENSEARCH_URL, index: 'auth-key', auth_type: 'apikey', api_key: os.env.SLUICE_TEST_OPENSEARCH_API_KEY });
    await key.init();
    assert.deepEqual(await key.sendBatch(records('key', 3, (i) => `k${i}`)), { failed: [] });
    // auth_type decides what is sent: a leftover api_key is not (the front would refuse it)
    const pw = await sink({ ...basic('auth-basic'), api_key: 'bm90OnNlbnQ=' });
    await pw.init();
    assert.deepEqual(await pw.sendBatch(records('basic', 3, (i) => `b${i}`)), { failed: [] });
    assert.deepEqual([await count('auth-none'), await count('auth-key'), await count('auth-basic')], [3, 3, 3]);
    for (const config of [
      { url: os.env.SLUICE_TEST_OPENSEARCH_URL, index: 'auth-bad' },
      { url: os.env.SLUICE_TEST_OPENSEARCH_URL, index: 'auth-bad', auth_type: 'apikey', api_key: 'bm90OnRoZS1rZXk=' },
      { ...basic('auth-bad'), password: 'wrong' },
    ]) {
      const s = await sink(config);
      await assert.rejects(s.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /HTTP 401.*check auth_type/.test(e.message), config.auth_type ?? 'none');
    }
    assert.equal((await call('GET', '/auth-bad/_count')).status, 404, 'nothing was written with wrong credentials');
  });

  test('an index per topic level (lower-cased); a record whose index cannot be named fails alone', async () => {
    const s = await sink(basic('mqtt-${topic[1]}'));
    await s.init();
    const batch = records('idx', 6, (i) => JSON.stringify({ i }), (i) => (i === 5 ? 'plant/bad,level/t' : `plant/Line${i % 2}/t`));
    const r = await s.sendBatch(batch);
    assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[5, 'permanent']]);
    assert.match(r.failed[0]?.error.message ?? '', /mqtt-bad,level/);
    assert.deepEqual([await count('mqtt-line0'), await count('mqtt-line1')], [3, 2]);
  });

  test('TLS: an https url or enable_tls, verified with tls_ca or ca_cert_path (inside SLUICE_SECRET_DIR); an unknown CA is unavailable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-es-tls-'));
    const front = await tlsFront(dir, node);
    const saved = process.env.SLUICE_SECRET_DIR;
    try {
      const ca = readFileSync(front.caFile, 'utf8');
      const writes = async (config: Record<string, unknown>, prefix: string): Promise<void> => {
        const s = await sink({ index: 'tls', timeout_secs: 5, ...config });
        await s.init();
        assert.deepEqual(await s.sendBatch(records(prefix, 2, () => 'x')), { failed: [] }, prefix);
      };
      await writes({ url: `https://127.0.0.1:${front.port}`, tls_ca: ca }, 'https-ca');
      await writes({ url: `http://127.0.0.1:${front.port}`, enable_tls: true, tls_ca: ca }, 'enable-tls');
      await writes({ url: `https://127.0.0.1:${front.port}`, tls_insecure_skip_verify: true }, 'insecure');
      process.env.SLUICE_SECRET_DIR = dir;
      await writes({ url: `https://127.0.0.1:${front.port}`, ca_cert_path: front.caFile }, 'ca-path');
      const unknown = await sink({ url: `https://127.0.0.1:${front.port}`, index: 'tls', timeout_secs: 5 });
      await assert.rejects(unknown.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /self[- ]signed/i.test(e.message));
      process.env.SLUICE_SECRET_DIR = join(dir, 'elsewhere');
      const outside = await sink({ url: `https://127.0.0.1:${front.port}`, index: 'tls', ca_cert_path: front.caFile });
      await assert.rejects(outside.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /outside SLUICE_SECRET_DIR/.test(e.message));
      assert.equal(await count('tls'), 8);
    } finally {
      if (saved === undefined) delete process.env.SLUICE_SECRET_DIR;
      else process.env.SLUICE_SECRET_DIR = saved;
      front.server.closeAllConnections();
      await new Promise((ok) => front.server.close(ok));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the node killed: the bulk is unavailable for the batch; started again, the same sink writes', { timeout: 120_000 }, async () => {
    const s = await sink(basic('restart'));
    await s.init();
    await os.kill();
    try {
      await assert.rejects(s.sendBatch(records('down', 2, () => 'x')), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /HTTP 502/.test(e.message));
      const direct = await sink({ url: node, index: 'restart', timeout_secs: 2 });
      await assert.rejects(direct.init(), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /ECONNREFUSED/.test(e.message));
    } finally {
      await os.start();
    }
    assert.deepEqual(await s.sendBatch(records('up', 2, () => 'x')), { failed: [] });
    assert.equal(await count('restart'), 2);
  });
});

describe('elasticsearch end to end: MQTT → Sluice → OpenSearch', () => {
  let broker: RunningService;
  let os: RunningService;
  let server: TestServer;
  let api: Api;
  let mqttUrl: string;

  before(async () => {
    ({ svc: broker, url: mqttUrl } = await startMosquitto());
    os = await startService('opensearch');
    server = await startTestServer({ mqttUrl });
    api = new Api(server.url);
  });
  after(async () => {
    await server?.cleanup();
    await os?.stop();
    await broker?.stop();
  });

  test('N messages become N documents; documents the index refuses are dead-lettered alone', { timeout: 180_000 }, async () => {
    const node = os.env.SLUICE_TEST_OPENSEARCH_DIRECT_URL as string;
    const put = await fetch(`${node}/e2e`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings: { number_of_replicas: 0 }, mappings: { properties: { payload: { properties: { seq: { type: 'long' } } } } } }) });
    assert.equal(put.status, 200, await put.text());
    const N = 2000;
    const name = 'es-e2e';
    await api.create({
      name, type: 'elasticsearch', topic_filter: 'es/#',
      config: { url: os.env.SLUICE_TEST_OPENSEARCH_URL, index: 'e2e', auth_type: 'apikey', api_key: os.env.SLUICE_TEST_OPENSEARCH_API_KEY, timeout_secs: 10 },
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 1, wait_time_ms: 100 },
      delivery: { batch_size: 500, linger_ms: 20 },
    });
    const bad = new Set([17, 1234]);
    const payload = (seq: number): string => JSON.stringify({ seq: bad.has(seq) ? `s${seq}` : seq });
    const pub = await publishNumbered({ url: mqttUrl, seqs: Array.from({ length: N }, (_, i) => i), topic: (seq) => `es/dev${seq % 2}`, payload, clientId: 'es-pub' });
    assert.equal(pub.acked.size, N);
    const st = await api.until(name, 'everything accounted', (s) => s.written + s.dead_lettered >= N, 90_000);
    assert.equal(st.dead_lettered, 2);
    assert.equal(st.written, N - 2);
    await fetch(`${node}/e2e/_refresh`, { method: 'POST' });
    const res = await fetch(`${node}/e2e/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ size: N, _source: ['payload.seq', 'topic'], sort: [{ 'payload.seq': 'asc' }] }) });
    const hits = ((await res.json()) as { hits: { hits: { _source: { payload: { seq: number }; topic: string } }[] } }).hits.hits;
    assert.deepEqual(hits.map((h) => h._source.payload.seq), Array.from({ length: N }, (_, i) => i).filter((i) => !bad.has(i)));
    assert.ok(hits.every((h) => h._source.topic === `es/dev${h._source.payload.seq % 2}`));
  });
});
