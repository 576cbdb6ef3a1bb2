// Unit tests of the kafka sink without a broker: the record mapping, the request plan, per-record
// outcomes of a split batch, the error classification and the client options. The real broker is
// in kafka-integration.test.ts.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { acksNumber, brokerList, checkBrokersUsable, compressionCodec, kafkaClientConfig } from '../../src/connectors/kafka/client-config.js';
import { checkConfig, sinkConfig } from '../../src/metadata/config-validation.js';
import { compileTemplate } from '../../src/metadata/template.js';
import { classifyKafkaError, describeKafkaError, isAuthError } from '../../src/connectors/kafka/errors.js';
import { connectFailure, missingTopicMessage } from '../../src/connectors/kafka/probe.js';
import { sendRuns } from '../../src/connectors/kafka/sink.js';
import { BATCH_OVERHEAD_BYTES, messageBytes, planRequests, recordHeaders, renderKey, toKafkaMessage, type KafkaMessage } from '../../src/connectors/kafka/mapping.js';
import { recordToJson } from '../../src/connectors/record-json.js';
import { SinkError, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { kafkaType } from '../../src/metadata/configs/kafka.js';

const require = createRequire(import.meta.url);
// kafkajs internals, to build the exact errors and record encodings the broker path produces
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => Error };
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: { key: Buffer | null; value: Buffer; headers: KafkaMessage['headers'] }) => { size(): number };
const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSError, logLevel, CompressionTypes } = kafkajs;
// constructed as kafkajs does at run time (its type declarations lag behind: no cause, no message)
type ErrorClass = new (e: Error | string, meta?: Record<string, unknown>) => Error;
const KafkaJSNonRetriableError = kafkajs.KafkaJSNonRetriableError as unknown as ErrorClass;
const KafkaJSSASLAuthenticationError = kafkajs.KafkaJSSASLAuthenticationError as unknown as ErrorClass;
const KafkaJSRequestTimeoutError = kafkajs.KafkaJSRequestTimeoutError as unknown as ErrorClass;

const CODE = { MESSAGE_TOO_LARGE: 10, LEADER_NOT_AVAILABLE: 5, NOT_LEADER: 6, BROKER_NOT_AVAILABLE: 8, REQUEST_TIMED_OUT: 7, INVALID_TOPIC: 17, RECORD_LIST_TOO_LARGE: 18, TOPIC_AUTH: 29, SASL_FAILED: 58, INVALID_RECORD: 87, NOT_ENOUGH_REPLICAS: 19, NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20, CORRUPT_MESSAGE: 2, CLUSTER_AUTH: 31 };

const TS = 1_790_000_000_123;
function rec(extra: Partial<SinkRecord> = {}): SinkRecord {
  return { id: 'e-7', offset: 7, topic: 'site/a/temp', payload: Buffer.from('{"t":21.5}'), qos: 1, retain: false, timestamp: TS, ...extra };
}

const BASE = { bootstrap_servers: 'k1:9092, k2:9093', topic: 'mqtt_in' };
const logs: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
const ctx: SinkContext = { tenant: 'default', connectorName: 'kafka-unit', log: (level, message, fields) => logs.push({ level, message, fields }) };

const tpl = (key: string) => (key === '' ? undefined : compileTemplate(key));
const key = (template: string, topic: string) => renderKey(tpl(template), rec({ topic }));
function message(r: SinkRecord, keyTemplate: string, value_format: 'raw' | 'envelope'): KafkaMessage {
  const m = toKafkaMessage(r, { key: tpl(keyTemplate), value_format });
  if ('error' in m) throw new Error(m.error);
  return m;
}

test('key: a variable without a value fails the record, naming the variable', () => {
  assert.deepEqual(key('${topic[5]}', 'a/b'), { error: 'key template ${topic[5]}: ${topic[5]} has no value for the message on "a/b" (the topic has 2 levels, counted from 0)' });
  assert.deepEqual(key('${topic[5]:-none}', 'a/b'), Buffer.from('none'));
  assert.deepEqual(key('${topic[-1]}', 'a/b'), Buffer.from('b'));
});

test('key: empty template gives no key; ${topic} is replaced everywhere, literally', () => {
  assert.equal(key('', 'a/b'), null);
  assert.deepEqual(key('${topic}', 'a/b'), Buffer.from('a/b'));
  assert.deepEqual(key('dev-${topic}|${topic}', 'x'), Buffer.from('dev-x|x'));
  assert.deepEqual(key('fixed', 'x'), Buffer.from('fixed'));
  // replacement patterns in a topic stay as they are
  assert.deepEqual(key('k:${topic}', "a/$&/$1/$'/b"), Buffer.from("k:a/$&/$1/$'/b"));
  assert.deepEqual(key('${topic}', 'température/😀'), Buffer.from('température/😀', 'utf8'));
});

test('headers: the record id, topic, qos, retain, timestamp as text; MQTT 5 properties when present', () => {
  assert.deepEqual(recordHeaders(rec()), { sluice_id: 'e-7', mqtt_topic: 'site/a/temp', mqtt_qos: '1', mqtt_retain: 'false', mqtt_timestamp: '1790000000123' });
  const h = recordHeaders(rec({
    qos: 2,
    retain: true,
    properties: {
      contentType: 'application/json',
      responseTopic: 'reply/here',
      correlationData: Buffer.from([0, 1, 0xfe]),
      userProperties: { site: 'paris', tag: ['a', 'b'], none: [] },
      payloadFormatIndicator: true,
      messageExpiryInterval: 60,
    },
  }));
  assert.deepEqual(h, {
    sluice_id: 'e-7', mqtt_topic: 'site/a/temp', mqtt_qos: '2', mqtt_retain: 'true', mqtt_timestamp: '1790000000123',
    mqtt_content_type: 'application/json', mqtt_response_topic: 'reply/here', mqtt_correlation_data: Buffer.from([0, 1, 0xfe]),
    mqtt_up_site: 'paris', mqtt_up_tag: ['a', 'b'],
  });
});

test('raw value: the payload bytes untouched, binary included; timestamp = receive time', () => {
  const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0xc3]);
  const m = message(rec({ payload: binary }), '', 'raw');
  assert.ok(m.value.equals(binary));
  assert.equal(m.key, null);
  assert.equal(m.timestamp, '1790000000123');
});

test('envelope value: the shared record JSON (text payload as text, binary as base64)', () => {
  const text = rec({ properties: { userProperties: { a: '1' } } });
  const m = message(text, '${topic}', 'envelope');
  assert.deepEqual(JSON.parse(m.value.toString('utf8')), { id: 'e-7', topic: 'site/a/temp', payload: '{"t":21.5}', payload_encoding: 'utf8', qos: 1, retain: false, timestamp: TS, offset: 7, properties: { user_properties: { a: '1' } } });
  assert.deepEqual(m.key, Buffer.from('site/a/temp'));
  const bin = rec({ payload: Buffer.from([0xde, 0xad, 0xbe, 0xef]) });
  const j = JSON.parse(message(bin, '', 'envelope').value.toString('utf8')) as Record<string, unknown>;
  assert.deepEqual(j, JSON.parse(JSON.stringify(recordToJson(bin))));
  assert.equal(j.payload, '3q2+7w==');
  assert.equal(j.payload_encoding, 'base64');
});

test('messageBytes is an upper bound of the encoded record size', () => {
  const cases: SinkRecord[] = [
    rec(),
    rec({ payload: Buffer.alloc(0) }),
    rec({ payload: Buffer.alloc(70_000, 1), topic: 'x'.repeat(300) }),
    rec({ properties: { userProperties: { k: ['1', '2', '3'], ü: 'é' }, correlationData: Buffer.alloc(40), contentType: 'text/plain' } }),
  ];
  for (const r of cases) {
    for (const key of ['', '${topic}']) {
      const m = message(r, key, 'raw');
      const encoded = encodeRecord({ key: m.key, value: m.value, headers: m.headers }).size();
      assert.ok(messageBytes(m) >= encoded, `estimate ${messageBytes(m)} < encoded ${encoded}`);
      assert.ok(messageBytes(m) <= encoded + 200, `estimate ${messageBytes(m)} far above encoded ${encoded}`);
    }
  }
});

test('planRequests: runs in order within the limit; an oversized record goes alone', () => {
  const limit = BATCH_OVERHEAD_BYTES + 100;
  assert.deepEqual(planRequests([], limit), []);
  assert.deepEqual(planRequests([10, 10, 10], limit), [3]);
  assert.deepEqual(planRequests([50, 50, 1], limit), [2, 1]);
  assert.deepEqual(planRequests([40, 500, 40, 40], limit), [1, 1, 2]);
  assert.deepEqual(planRequests([500], limit), [1]);
  assert.deepEqual(planRequests([500, 500], limit), [1, 1]);
  const sizes = Array.from({ length: 1100 }, () => 1000);
  const runs = planRequests(sizes, 1_048_588);
  assert.equal(runs.reduce((a, b) => a + b, 0), 1100);
  assert.ok(runs.length === 2 && runs.every((n) => BATCH_OVERHEAD_BYTES + n * 1000 <= 1_048_588), JSON.stringify(runs));
});

// ---- per-record outcomes of a batch sent as several requests ----------------------------------

function fakeSend(fail: Record<number, SinkError>): { calls: [number, number][]; send: (from: number, to: number) => Promise<void> } {
  const calls: [number, number][] = [];
  return {
    calls,
    send: async (from, to) => {
      calls.push([from, to]);
      const e = fail[from];
      if (e) throw e;
    },
  };
}
const id = (e: unknown): SinkError => e as SinkError;
const outcome = (failed: { index: number; error: SinkError }[]) => failed.map((f) => [f.index, f.error.kind]);

test('sendRuns: everything written in one or several requests', async () => {
  const f = fakeSend({});
  assert.deepEqual(await sendRuns([3, 2], f.send, id), { failed: [] });
  assert.deepEqual(f.calls, [[0, 3], [3, 5]]);
});

test('sendRuns: a failed first request fails the whole batch (thrown), nothing else is sent', async () => {
  for (const err of [SinkError.retriable('down'), SinkError.permanent('MESSAGE_TOO_LARGE')]) {
    const f = fakeSend({ 0: err });
    await assert.rejects(sendRuns([3, 2], f.send, id), (e: unknown) => e === err);
    assert.deepEqual(f.calls, [[0, 3]]);
  }
});

test('sendRuns: a record refused alone fails alone, the rest is still sent', async () => {
  const f = fakeSend({ 2: SinkError.permanent('MESSAGE_TOO_LARGE') });
  const r = await sendRuns([2, 1, 2], f.send, id);
  assert.deepEqual(outcome(r.failed), [[2, 'permanent']]);
  assert.deepEqual(f.calls, [[0, 2], [2, 3], [3, 5]]);
  const first = fakeSend({ 0: SinkError.permanent('too large') });
  assert.deepEqual(outcome((await sendRuns([1, 4], first.send, id)).failed), [[0, 'permanent']]);
});

test('sendRuns: a later request failing leaves the start written and fails the rest', async () => {
  const f = fakeSend({ 2: SinkError.retriable('connection lost') });
  const r = await sendRuns([2, 2, 1], f.send, id);
  assert.deepEqual(outcome(r.failed), [[2, 'retriable'], [3, 'retriable'], [4, 'retriable']]);
  assert.equal(r.failed[2]?.error.message, 'connection lost');
  assert.deepEqual(f.calls, [[0, 2], [2, 4]], 'nothing after the failed request is sent');
  // a permanent refusal of several records comes back retriable: sent again alone, it is bisected
  const p = fakeSend({ 2: SinkError.permanent('RECORD_LIST_TOO_LARGE') });
  const rp = await sendRuns([2, 3], p.send, id);
  assert.deepEqual(outcome(rp.failed), [[2, 'retriable'], [3, 'retriable'], [4, 'retriable']]);
  assert.match(rp.failed[0]?.error.message ?? '', /RECORD_LIST_TOO_LARGE.*sent again on its own/);
});

// ---- kafkajs errors --------------------------------------------------------------------------

const kind = (e: unknown): string => classifyKafkaError(e, 'produce').kind;
const retriesExceeded = (e: Error): Error => new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 0, retryTime: 300 });

test('errors: refused records are permanent, found through kafkajs wrappers', () => {
  for (const code of [CODE.MESSAGE_TOO_LARGE, CODE.RECORD_LIST_TOO_LARGE, CODE.INVALID_RECORD, CODE.CORRUPT_MESSAGE]) {
    const e = createErrorFromCode(code);
    assert.equal(kind(e), 'permanent', e.message);
    assert.equal(kind(retriesExceeded(e)), 'permanent', `wrapped ${e.message}`);
    assert.equal(kind(new KafkaJSNonRetriableError(e, { cause: e })), 'permanent');
  }
});

test('errors: a request the cluster is momentarily short-handed for is retriable', () => {
  for (const code of [CODE.NOT_ENOUGH_REPLICAS, CODE.NOT_ENOUGH_REPLICAS_AFTER_APPEND]) {
    assert.equal(kind(createErrorFromCode(code)), 'retriable', String(code));
    assert.equal(kind(retriesExceeded(createErrorFromCode(code))), 'retriable', `wrapped ${code}`);
  }
});

test('errors: refused login or rights, connection, timeout, leadership and unknown failures are unavailable', () => {
  const conn = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: '127.0.0.1:9092', code: 'ECONNREFUSED' });
  for (const e of [
    createErrorFromCode(CODE.TOPIC_AUTH),
    createErrorFromCode(CODE.CLUSTER_AUTH),
    createErrorFromCode(CODE.SASL_FAILED),
    retriesExceeded(createErrorFromCode(CODE.SASL_FAILED)),
    new KafkaJSSASLAuthenticationError('SASL SCRAM SHA256 authentication failed: bad proof'),
    createErrorFromCode(CODE.INVALID_TOPIC),
    conn,
    retriesExceeded(conn),
    new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out', { broker: 'k1:9092' }),
    createErrorFromCode(CODE.LEADER_NOT_AVAILABLE),
    retriesExceeded(createErrorFromCode(CODE.NOT_LEADER)),
    createErrorFromCode(CODE.BROKER_NOT_AVAILABLE),
    createErrorFromCode(CODE.REQUEST_TIMED_OUT),
    createErrorFromCode(-1), // UNKNOWN_SERVER_ERROR
    new KafkaJSNonRetriableError('The producer is disconnecting; therefore, it can\'t safely accept messages anymore'),
    new KafkaJSError('The producer is disconnected'),
    new Error('something else'),
    'a string',
  ]) {
    assert.equal(kind(e), 'unavailable', String((e as Error).message ?? e));
  }
});

test('errors: the message names the protocol type and the innermost reason', () => {
  const e = classifyKafkaError(retriesExceeded(createErrorFromCode(CODE.MESSAGE_TOO_LARGE)), 'kafka: produce to t failed');
  assert.equal(e.message, 'kafka: produce to t failed: MESSAGE_TOO_LARGE: The request included a message larger than the max message size the server will accept');
  assert.equal(describeKafkaError(new KafkaJSConnectionError('Connection error: getaddrinfo ENOTFOUND kafka-9')), 'Connection error: getaddrinfo ENOTFOUND kafka-9');
  const already = SinkError.permanent('x');
  assert.equal(classifyKafkaError(already, 'y'), already);
  assert.ok(isAuthError(createErrorFromCode(34))); // ILLEGAL_SASL_STATE: SASL against a plaintext listener
  assert.ok(!isAuthError(createErrorFromCode(CODE.TOPIC_AUTH)));
});

// ---- config and client options ----------------------------------------------------------------

test('config: defaults, acks and compression mapping, brokers trimmed', () => {
  const cfg = sinkConfig(kafkaType, BASE);
  assert.equal(cfg.acks, 'all');
  assert.equal(acksNumber('all'), -1);
  assert.equal(acksNumber('1'), 1);
  assert.equal(acksNumber('0'), 0);
  assert.equal(compressionCodec('gzip'), CompressionTypes.GZIP);
  assert.equal(compressionCodec('none'), CompressionTypes.None);
  assert.deepEqual(brokerList(' k1:9092 , k2:9093 '), ['k1:9092', 'k2:9093']);
  assert.equal(acksNumber('-1'), -1);
  assert.equal(compressionCodec('snappy'), CompressionTypes.Snappy);
  assert.equal(compressionCodec('lz4'), CompressionTypes.LZ4);
  assert.equal(compressionCodec('zstd'), CompressionTypes.ZSTD);
  assert.throws(() => sinkConfig(kafkaType, { topic: 't' }), /bootstrap_servers/);
});

test('client options: no kafkajs retries, timeouts, SASL and TLS from the config', () => {
  const plain = kafkaClientConfig(sinkConfig(kafkaType, { ...BASE, message_timeout_ms: 5000, connection_timeout_ms: 700 }), ctx);
  assert.deepEqual(plain.brokers, ['k1:9092', 'k2:9093']);
  assert.deepEqual(plain.retry, { retries: 0 });
  assert.equal(plain.connectionTimeout, 700);
  assert.equal(plain.authenticationTimeout, 700);
  assert.ok((plain.requestTimeout ?? 0) > 5000, 'the client outwaits the broker-side ack timeout');
  assert.equal(plain.sasl, undefined);
  assert.equal(plain.ssl, undefined);
  const secure = kafkaClientConfig(sinkConfig(kafkaType, { ...BASE, sasl_mechanism: 'scram-sha-512', sasl_username: 'u', sasl_password: 'p', enable_tls: true, tls_ca: 'CA-PEM', tls_insecure_skip_verify: false }), ctx);
  assert.deepEqual(secure.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  assert.deepEqual(secure.ssl, { rejectUnauthorized: true, ca: ['CA-PEM'] });
  const insecure = kafkaClientConfig(sinkConfig(kafkaType, { ...BASE, enable_tls: true, tls_insecure_skip_verify: true, tls_cert: 'C', tls_key: 'K' }), ctx);
  assert.deepEqual(insecure.ssl, { rejectUnauthorized: false, cert: 'C', key: 'K' });
});

test('kafkajs log lines reach the connector log without their extra fields; ERROR at debug', () => {
  const log = kafkaClientConfig(sinkConfig(kafkaType, BASE), ctx).logCreator?.(logLevel.WARN);
  assert.ok(log);
  logs.length = 0;
  log({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 'now', message: 'Connection error: x', broker: 'k1:9092', stack: 'secret-ish', sasl: { password: 'pw' } } });
  log({ namespace: 'Producer', level: logLevel.WARN, label: 'WARN', log: { timestamp: 'now', message: 'Limiting retries' } });
  assert.deepEqual(logs, [
    { level: 'debug', message: 'kafkajs: Connection error: x', fields: { kafkajs: 'Connection', broker: 'k1:9092' } },
    { level: 'warn', message: 'kafkajs: Limiting retries', fields: { kafkajs: 'Producer' } },
  ]);
});

test('an IPv6 literal bootstrap server is refused with a reason', () => {
  assert.throws(() => checkBrokersUsable('[::1]:9092'), /cannot use IPv6 address literals/);
  checkBrokersUsable('kafka-1:9092,10.0.0.1:9092');
});

test('validate messages: unreachable, refused login (no password shown), missing topic', () => {
  const cfg = sinkConfig(kafkaType, { ...BASE, sasl_mechanism: 'plain', sasl_username: 'ingest', sasl_password: 'hunter2' });
  const refused = connectFailure(cfg, createErrorFromCode(CODE.SASL_FAILED));
  assert.match(refused, /^kafka sink: Kafka at k1:9092, k2:9093 refused the login with SASL plain as user "ingest": SASL_AUTHENTICATION_FAILED/);
  assert.ok(!refused.includes('hunter2'));
  assert.equal(connectFailure(sinkConfig(kafkaType, BASE), retriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 10.0.0.9:9092'))), 'kafka sink: cannot reach Kafka at k1:9092, k2:9093: Connection error: connect ECONNREFUSED 10.0.0.9:9092');
  assert.equal(missingTopicMessage(sinkConfig(kafkaType, BASE), false), 'kafka sink: topic "mqtt_in" does not exist on k1:9092, k2:9093, and the brokers do not create topics (auto.create.topics.enable=false); create the topic first');
  assert.match(missingTopicMessage(sinkConfig(kafkaType, BASE), createErrorFromCode(31)), /could not be read: CLUSTER_AUTHORIZATION_FAILED/);
});

test('schema: the key template is checked by the template engine; the type loads a sink that refuses to send before init', async () => {
  assert.deepEqual(checkConfig(kafkaType, { ...BASE, key: 'a-${topic}' }).errors, []);
  assert.deepEqual(checkConfig(kafkaType, { ...BASE, key: '${clientid}/${topic}' }).errors, [{ path: 'config.key', rule: 'unknown variable ${clientid}; known: ${topic}, ${topic[N]}, ${payload}, ${payload.<field>}, ${timestamp}, ${id}, ${qos}, ${user_properties.<name>}' }]);
  assert.ok(kafkaType.loadSink);
  const sink = (await kafkaType.loadSink()).createSink(sinkConfig(kafkaType, BASE), ctx);
  await assert.rejects(sink.sendBatch([rec()]), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /not started/.test(e.message));
  await sink.cleanup();
  await sink.cleanup();
});
