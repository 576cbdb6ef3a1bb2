// The mongodb sink's pure parts: record → document (mapping.ts), the classification of the
// server's answers (errors.ts) and the client options (sink.ts). What FerretDB really stores and
// answers is checked in mongodb-sink.test.ts; here are the shapes a MongoDB server answers with
// that FerretDB never sends (a duplicate key naming its index) and the edges of the payload forms.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Binary, BSON, MongoNetworkError, MongoServerError, type WriteError } from 'mongodb';
import { batchErrorKind, describeMongoError, duplicateKeyOn, hintFor, writeErrorKind } from '../../src/connectors/mongodb/errors.js';
import { payloadValue, propertiesDocument, toDocument } from '../../src/connectors/mongodb/mapping.js';
import { clientOptions, seedList } from '../../src/connectors/mongodb/sink.js';
import type { SinkRecord } from '../../src/connectors/sink.js';
import { sinkConfig } from '../../src/metadata/config-validation.js';
import { mongodbType, type MongodbConfig } from '../../src/metadata/configs/mongodb.js';

const text = (s: string) => payloadValue(Buffer.from(s));

describe('mongodb payload forms', () => {
  test('a JSON object becomes a sub-document; other JSON and plain text stay strings', () => {
    assert.deepEqual(text('{"temp": 21.5, "tags": ["a", "b"], "at": {"x": null}}'), { payload: { temp: 21.5, tags: ['a', 'b'], at: { x: null } }, payload_encoding: 'json' });
    assert.deepEqual(text('  {"a":1}\n'), { payload: { a: 1 }, payload_encoding: 'json' }, 'whitespace around an object');
    for (const s of ['[1,2]', '42', '"quoted"', 'true', 'on', '', '{not json', '{"a":1} trailing']) assert.deepEqual(text(s), { payload: s, payload_encoding: 'utf8' }, s);
  });

  test('an object that would not come back unchanged stays text', () => {
    const deep = (n: number): string => (n === 0 ? '1' : `{"a":${deep(n - 1)}}`);
    for (const s of ['{"$set":1}', '{"a.b":1}', '{"":1}', '{"a\\u0000b":1}', '{"n":9007199254740993}', '{"x":[{"$gt":1}]}', deep(91)]) {
      assert.equal(text(s).payload_encoding, 'utf8', s);
      assert.equal(text(s).payload, s);
    }
    assert.equal(text(deep(90)).payload_encoding, 'json', 'nesting up to 90 levels is a sub-document');
    assert.deepEqual(text('{"n":9007199254740991,"f":1.5e-300,"g":-0.5}').payload, { n: 9007199254740991, f: 1.5e-300, g: -0.5 });
    assert.equal(text('{"f":1e300}').payload_encoding, 'utf8', 'any integral value beyond 2^53 is kept as text: the parsed double may differ from the digits sent');
  });

  test('a BOM stays part of the text; invalid UTF-8 is binary, byte for byte', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
    const b = payloadValue(bom);
    assert.equal(b.payload_encoding, 'utf8');
    assert.ok(Buffer.from(b.payload as string).equals(bom));
    const raw = Buffer.from([0x00, 0xff, 0xfe, 0x80]);
    const r = payloadValue(raw);
    assert.equal(r.payload_encoding, 'binary');
    assert.ok(r.payload instanceof Binary);
    assert.ok(Buffer.from(r.payload.buffer).equals(raw));
  });
});

describe('mongodb document', () => {
  const rec: SinkRecord = { id: 'ep-7', offset: 7, topic: 'a/b', payload: Buffer.from('{"t":1}'), qos: 2, retain: true, timestamp: 1_767_225_600_123 };

  test('_id is the record id, timestamp a Date of the reception ms, no properties key without properties', () => {
    const d = toDocument(rec);
    assert.deepEqual(Object.keys(d), ['_id', 'topic', 'payload', 'payload_encoding', 'qos', 'retain', 'timestamp']);
    assert.equal(d._id, 'ep-7');
    assert.ok(d.timestamp instanceof Date);
    assert.equal(d.timestamp.getTime(), rec.timestamp);
    assert.equal(toDocument({ ...rec, properties: {} }).properties, undefined, 'an empty property set adds nothing');
  });

  test('MQTT 5 properties under their documented names, correlation data as binary; BSON round-trips them', () => {
    const p = propertiesDocument({ contentType: 'application/json', payloadFormatIndicator: true, responseTopic: 'r/1', correlationData: Buffer.from('corr'), userProperties: { unit: 'C', tag: ['x', 'y'] }, messageExpiryInterval: 60 });
    assert.ok(p);
    assert.ok(p.correlation_data instanceof Binary);
    const back = BSON.deserialize(BSON.serialize(toDocument({ ...rec, properties: { contentType: 'application/json', correlationData: Buffer.from('corr'), userProperties: { unit: 'C', tag: ['x', 'y'] } } })));
    assert.deepEqual(back.properties.user_properties, { unit: 'C', tag: ['x', 'y'] });
    assert.equal(Buffer.from((back.properties.correlation_data as Binary).buffer).toString(), 'corr');
    assert.equal(back.properties.content_type, 'application/json');
    assert.deepEqual(Object.keys(p), ['content_type', 'payload_format_indicator', 'response_topic', 'correlation_data', 'user_properties', 'message_expiry_interval']);
  });
});

describe('mongodb error kinds', () => {
  // the fields of the driver's WriteError that errors.ts reads (the class itself is not exported)
  const we = (code: number, errmsg: string, extra: Record<string, unknown> = {}): WriteError => ({ code, index: 0, errmsg, err: { code, index: 0, errmsg, ...extra } }) as unknown as WriteError;

  test('which key a duplicate is on: MongoDB names it (keyPattern, or the index in the message); FerretDB does not', () => {
    assert.equal(duplicateKeyOn(we(11000, 'E11000 duplicate key error', { keyPattern: { _id: 1 }, keyValue: { _id: 'x' } })), '_id');
    assert.equal(duplicateKeyOn(we(11000, 'E11000 duplicate key error', { keyPattern: { 'payload.uniq': 1 } })), 'other');
    assert.equal(duplicateKeyOn(we(11000, 'E11000 duplicate key error', { keyValue: { _id: 'x', b: 1 } })), 'other');
    assert.equal(duplicateKeyOn(we(11000, 'E11000 duplicate key error collection: d.c index: _id_ dup key: { _id: "x" }')), '_id');
    assert.equal(duplicateKeyOn(we(11000, 'E11000 duplicate key error collection: d.c index: payload.uniq_1 dup key: { }')), 'other');
    assert.equal(duplicateKeyOn(we(11000, 'E11000 duplicate key error collection: conformance.records')), 'unknown');
    assert.equal(duplicateKeyOn(we(121, 'Document failed validation')), undefined);
  });

  test('a document the server refuses is permanent, a lost race retriable, anything else unavailable', () => {
    for (const code of [11000, 121, 2, 52, 55, 56, 57, 10334, 17280, 17419]) assert.equal(writeErrorKind(we(code, 'x')), 'permanent', String(code));
    for (const code of [112, 24, 46, 251]) assert.equal(writeErrorKind(we(code, 'x')), 'retriable', String(code));
    for (const code of [13, 18, 64, 91, 189, 10107, 11600, 424242]) assert.equal(writeErrorKind(we(code, 'x')), 'unavailable', String(code));
  });

  test('a failure of the whole command is never a record\'s: unavailable, or retriable for a lost race', () => {
    assert.equal(batchErrorKind(new MongoNetworkError('connection reset')), 'unavailable');
    assert.equal(batchErrorKind(new MongoServerError({ errmsg: 'Authentication failed.', code: 18, codeName: 'AuthenticationFailed' })), 'unavailable');
    assert.equal(batchErrorKind(new MongoServerError({ errmsg: 'not authorized', code: 13 })), 'unavailable');
    assert.equal(batchErrorKind(new MongoServerError({ errmsg: 'Document failed validation', code: 121 })), 'unavailable', 'no per-document error: no record to blame');
    assert.equal(batchErrorKind(new MongoServerError({ errmsg: 'WriteConflict', code: 112 })), 'retriable');
    assert.equal(batchErrorKind(new Error('anything')), 'unavailable');
  });

  test('messages carry the code name, stay short, and hint at what the operator fixes', () => {
    const auth = new MongoServerError({ errmsg: 'Authentication failed.', code: 18, codeName: 'AuthenticationFailed' });
    assert.equal(describeMongoError(auth), 'Authentication failed. [AuthenticationFailed 18]');
    assert.match(hintFor(auth), /username, password and auth_source/);
    assert.match(hintFor(new MongoServerError({ errmsg: 'not authorized on d to execute command', code: 13 })), /readWrite/);
    assert.equal(hintFor(new MongoNetworkError('reset')), '');
    assert.equal(describeMongoError(new Error('x'.repeat(1000))).length, 401);
    assert.equal(describeMongoError(new AggregateError([new Error('a'), new Error('a'), new Error('b')])), 'a; b');
  });
});

describe('mongodb client options', () => {
  const config = (over: Record<string, unknown>): MongodbConfig => sinkConfig(mongodbType, { host: 'localhost', database: 'd', collection: 'c', ...over });

  test('every seed gets the port unless it names one (IPv6 in brackets too)', () => {
    assert.equal(seedList('a, b:27018 ,[::1],[fe80::1]:27019', 27017), 'a:27017,b:27018,[::1]:27017,[fe80::1]:27019');
  });

  test('the driver writes once (the core retries), with the configured write concern and auth source', () => {
    const o = clientOptions(config({}), 'sluice t');
    assert.equal(o.retryWrites, false);
    assert.equal(o.directConnection, true);
    assert.deepEqual(o.writeConcern, { w: 1 });
    assert.equal(o.auth, undefined);
    const rs = clientOptions(config({ host: 'a,b', deployment_mode: 'replicaset', replica_set_name: 'rs0', w: 'majority', username: 'u', password: 'p' }), 'sluice t');
    assert.equal(rs.directConnection, false);
    assert.equal(rs.replicaSet, 'rs0');
    assert.deepEqual(rs.writeConcern, { w: 'majority' });
    assert.equal(rs.authSource, 'admin');
    assert.deepEqual(rs.auth, { username: 'u', password: 'p' });
    assert.equal(clientOptions(config({ username: 'u', password: 'p', auth_source: 'iot' }), 'x').authSource, 'iot');
    assert.equal(clientOptions(config({ socket_timeout_secs: 7 }), 'x').socketTimeoutMS, 7000);
  });
});
