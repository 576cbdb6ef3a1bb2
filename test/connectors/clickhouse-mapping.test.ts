// Unit tests of the ClickHouse sink's row mapping, SQL quoting and error classification (no server).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClickHouseError } from '@clickhouse/client';
import { displayUrl } from '../../src/connectors/clickhouse/sink.js';
import { sinkConfig } from '../../src/metadata/config-validation.js';
import { describeError, insertError, isDataError, serverError } from '../../src/connectors/clickhouse/errors.js';
import { createRawTableSql, jsonRow, mapRecord, qualifiedTable, quoteIdentifier, quoteString, rawColumnProblems, rawRow } from '../../src/connectors/clickhouse/mapping.js';
import type { SinkRecord } from '../../src/connectors/sink.js';
import { clickhouseType } from '../../src/metadata/configs/clickhouse.js';

function rec(payload: Buffer | string, over: Partial<SinkRecord> = {}): SinkRecord {
  return { id: 'e-7', offset: 7, topic: 'dev/1/state', payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: 1, retain: false, timestamp: 1_790_000_000_123, ...over };
}

test('raw row: text payload, retain as 0/1, timestamp in ms', () => {
  assert.deepEqual(JSON.parse(rawRow(rec('{"t":21.5}'))), { topic: 'dev/1/state', payload: '{"t":21.5}', payload_encoding: 'utf8', qos: 1, retain: 0, timestamp: 1_790_000_000_123 });
  assert.deepEqual(JSON.parse(rawRow(rec('x', { retain: true, qos: 2 }))), { topic: 'dev/1/state', payload: 'x', payload_encoding: 'utf8', qos: 2, retain: 1, timestamp: 1_790_000_000_123 });
  // one line per row, whatever the payload holds
  const tricky = 'line1\nline2\r\n\u2028"q" \\ \u0000 😀';
  const row = rawRow(rec(tricky));
  assert.ok(!row.includes('\n') && !row.includes('\r'));
  assert.equal((JSON.parse(row) as { payload: string }).payload, tricky);
});

test('raw row: a payload that is not UTF-8 is base64 with payload_encoding base64', () => {
  const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]);
  const row = JSON.parse(rawRow(rec(bytes))) as { payload: string; payload_encoding: string };
  assert.equal(row.payload_encoding, 'base64');
  assert.equal(row.payload, bytes.toString('base64'));
  assert.deepEqual(Buffer.from(row.payload, 'base64'), bytes);
  // empty payload is empty text
  assert.deepEqual(JSON.parse(rawRow(rec(Buffer.alloc(0)))), { topic: 'dev/1/state', payload: '', payload_encoding: 'utf8', qos: 1, retain: 0, timestamp: 1_790_000_000_123 });
});

test('json row: an object is passed through as its own text (64-bit integers keep their digits)', () => {
  assert.deepEqual(jsonRow(Buffer.from(' {"id": 18446744073709551615, "v": 1.5}\n')), { row: '{"id": 18446744073709551615, "v": 1.5}' });
  assert.deepEqual(jsonRow(Buffer.from('{}')), { row: '{}' });
  assert.deepEqual(jsonRow(Buffer.from('\uFEFF{"a":1}')), { row: '{"a":1}' });
  assert.deepEqual(mapRecord(rec('{"a":[1,{"b":2}]}'), 'json'), { row: '{"a":[1,{"b":2}]}' });
});

test('json row: anything but one JSON object is refused with a reason', () => {
  const reason = (p: Buffer | string): string => {
    const r = jsonRow(typeof p === 'string' ? Buffer.from(p) : p);
    assert.ok('error' in r, `accepted ${String(p)}`);
    return r.error;
  };
  assert.match(reason('[1,2]'), /is a JSON array, not a JSON object/);
  assert.match(reason('null'), /is JSON null, not a JSON object/);
  assert.match(reason('42'), /is a JSON number/);
  assert.match(reason('"s"'), /is a JSON string/);
  assert.match(reason('true'), /is a JSON boolean/);
  assert.match(reason('{"a":1}{"b":2}'), /not valid JSON/);
  assert.match(reason('{"a":'), /not valid JSON/);
  assert.match(reason(''), /not valid JSON/);
  assert.match(reason(Buffer.from([0x7b, 0xff, 0x7d])), /not valid UTF-8/);
});

test('identifiers are checked and backtick-quoted; strings are escaped', () => {
  assert.equal(quoteIdentifier('mqtt_1'), '`mqtt_1`');
  assert.equal(qualifiedTable('mqtt', 'Messages'), '`mqtt`.`Messages`');
  for (const bad of ['', '1a', 'a.b', 'a`b', "a'; DROP TABLE x;--", 'a b']) assert.throws(() => quoteIdentifier(bad), /not a plain identifier/);
  assert.equal(quoteString('mqtt'), "'mqtt'");
  assert.equal(quoteString("it's \\ here"), "'it\\'s \\\\ here'");
});

test('create_table DDL: the raw mapping\'s columns, MergeTree ordered by (topic, timestamp)', () => {
  const sql = createRawTableSql('mqtt', 'messages');
  assert.match(sql, /^CREATE TABLE IF NOT EXISTS `mqtt`\.`messages` \(/);
  for (const col of ['topic String', 'payload String', 'payload_encoding String', 'qos UInt8', 'retain UInt8', 'timestamp UInt64']) assert.ok(sql.includes(col), col);
  assert.match(sql, /ENGINE = MergeTree ORDER BY \(topic, timestamp\)$/);
  assert.throws(() => createRawTableSql('mqtt', 'x`y'), /not a plain identifier/);
});

test('raw table check: missing columns and types that cannot hold the values', () => {
  const cols = (spec: string): { name: string; type: string }[] => spec.split(',').map((c) => {
    const [name, ...type] = c.trim().split(' ');
    return { name: name as string, type: type.join(' ') };
  });
  assert.deepEqual(rawColumnProblems(cols('topic String, payload String, payload_encoding String, qos UInt8, retain UInt8, timestamp UInt64')), []);
  assert.deepEqual(rawColumnProblems(cols("topic LowCardinality(String), payload Nullable(String), payload_encoding Enum8('utf8' = 0, 'base64' = 1), qos Int32, retain UInt8, timestamp Int64, extra Float64")), []);
  assert.deepEqual(rawColumnProblems(cols('topic FixedString(64), payload String, qos UInt8, retain UInt8, timestamp UInt64')), [], 'payload_encoding is optional');
  assert.deepEqual(rawColumnProblems(cols('topic String, payload String, timestamp UInt64')), ['no column qos', 'no column retain']);
  assert.deepEqual(rawColumnProblems(cols('topic String, payload UInt64, payload_encoding UInt8, qos String, retain UInt8, timestamp DateTime')), [
    'column payload is UInt64 but needs a String',
    "column payload_encoding is UInt8 but needs a String or an Enum of 'utf8', 'base64'",
    'column qos is String but needs an integer type such as UInt8',
    'column timestamp is DateTime but needs a 64-bit integer such as UInt64 (milliseconds since the epoch)',
  ]);
  assert.deepEqual(rawColumnProblems(cols('topic String, payload String, qos UInt8, retain UInt8, timestamp UInt32')), ['column timestamp is UInt32 but needs a 64-bit integer such as UInt64 (milliseconds since the epoch)']);
});

test('server errors of 18.16 and of current servers are read; data errors are permanent', () => {
  const old = new Error('Code: 27, e.displayText() = DB::Exception: Cannot parse NaN.: (while read the value of key value): (at row 2)\n, e.what() = DB::Exception\n');
  assert.deepEqual(serverError(old), { code: 27, message: 'Cannot parse NaN.: (while read the value of key value): (at row 2)' });
  assert.equal(describeError(old), 'Cannot parse NaN.: (while read the value of key value): (at row 2) (code 27)');
  const current = new ClickHouseError({ message: 'Cannot parse input: expected \',\' before: \'x\': (at row 1) ', code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });
  assert.deepEqual(serverError(current), { code: 27, message: 'Cannot parse input: expected \',\' before: \'x\': (at row 1)' });
  assert.equal(serverError(new Error('connect ECONNREFUSED 127.0.0.1:8123')), undefined);

  const kind = (e: unknown): string => insertError(e, 'mqtt.t').kind;
  for (const code of [6, 26, 27, 38, 41, 53, 72, 117, 349]) assert.equal(kind(new Error(`Code: ${code}, e.displayText() = DB::Exception: bad, e.what() = DB::Exception`)), 'permanent', String(code));
  // an unknown Enum element is code 49 in 18.16, recognised by the row context
  assert.equal(kind(new Error("Code: 49, e.displayText() = DB::Exception: Unknown element 'zz' for type Enum8('a' = 1): (while read the value of key e), e.what() = DB::Exception")), 'permanent');
  // throttling of this INSERT is retriable; refused credentials or rights, a missing table or
  // database, unknown codes and no answer at all are unavailable: the data is fine
  const server = (code: number): Error => new Error(`Code: ${code}, e.displayText() = DB::Exception: x, e.what() = DB::Exception`);
  for (const code of [241, 252, 202]) assert.equal(kind(server(code)), 'retriable', String(code));
  for (const code of [60, 81, 192, 193, 194, 195, 497, 516, 159, 62, 999]) assert.equal(kind(server(code)), 'unavailable', String(code));
  assert.equal(kind(new Error('connect ECONNREFUSED 127.0.0.1:8123')), 'unavailable');
  assert.equal(kind(new Error('socket hang up')), 'unavailable');
  assert.equal(kind(new ClickHouseError({ message: 'default: Authentication failed', code: '516', type: 'AUTHENTICATION_FAILED' })), 'unavailable');
  const timeout = insertError(new Error('Timeout error.'), 'mqtt.t', 15_000);
  assert.equal(timeout.kind, 'unavailable');
  assert.equal(timeout.message, 'clickhouse: INSERT into mqtt.t failed: timed out after 15 s');
  assert.ok(isDataError({ code: 117, message: 'Unknown field' }));
});

test('long server messages are cut; AggregateErrors name their parts', () => {
  const long = describeError(new Error(`Code: 27, e.displayText() = DB::Exception: ${'x'.repeat(1000)}, e.what() = DB::Exception`));
  assert.ok(long.length < 320, String(long.length));
  const agg = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:8123'), { code: 'ECONNREFUSED' }), new Error('connect ECONNREFUSED 127.0.0.1:8123')], '');
  assert.equal(describeError(agg), 'connect ECONNREFUSED ::1:8123; connect ECONNREFUSED 127.0.0.1:8123');
});

test('config: defaults from the schema, url shown without credentials', () => {
  const c = sinkConfig(clickhouseType, { url: 'http://ch:8123', database: 'mqtt', table: 'messages' });
  assert.deepEqual(c, { url: 'http://ch:8123', database: 'mqtt', table: 'messages', username: 'default', password: '', payload_format: 'raw', create_table: false, compression: false, pool_size: 8, timeout_secs: 15 });
  assert.throws(() => sinkConfig(clickhouseType, { url: 'http://ch:8123', database: 'mqtt' }), /config: must have required property table|config.table/);
  assert.throws(() => sinkConfig(clickhouseType, { url: 'http://ch:8123', database: 'mqtt', table: 't', payload_format: 'csv' }), /config.payload_format/);
  assert.equal(displayUrl('https://u:secret@ch.example.com:8443/mqtt?password=x'), 'https://ch.example.com:8443');
  assert.equal(displayUrl('http://ch:8123/'), 'http://ch:8123');
  assert.ok(clickhouseType.loadSink, 'clickhouse type registers its sink');
});
