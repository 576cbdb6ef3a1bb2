// Every encoder of the ETL rule engine (src/transform/etl/encode.ts): per-record formats give one
// payload per record, collection formats one payload for all; RobustMQ's separators and defaults.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileEtlRule } from '../../src/transform/etl/index.js';
import { etlError, etlRule, run } from './etl-helpers.js';

const TWO = '[{"k":"a","n":1},{"k":"b","n":2}]';

describe('ETL encoders', () => {
  test('JsonObject: one payload per record, so a JsonArray decode splits a message (RobustMQ refuses more than one record)', () => {
    assert.deepEqual(run(etlRule('JsonArray', [], 'JsonObject'), TWO), ['{"k":"a","n":1}', '{"k":"b","n":2}']);
    assert.deepEqual(run(etlRule('JsonArray', [], 'JsonObject'), '[]'), []);
  });

  test('JsonArray: one payload; no records, no payload', () => {
    assert.deepEqual(run(etlRule('JsonArray', [], 'JsonArray'), TWO), [TWO]);
    assert.deepEqual(run(etlRule('JsonLines', [], 'JsonArray'), '{"d":1}\n{"d":2}'), ['[{"d":1},{"d":2}]']);
    assert.deepEqual(run(etlRule('JsonArray', [], 'JsonArray'), '[]'), []);
  });

  test('JsonLines: "\\n" between records (none after the last), or line_separator', () => {
    assert.deepEqual(run(etlRule('JsonArray', [], 'JsonLines'), TWO), ['{"k":"a","n":1}\n{"k":"b","n":2}']);
    assert.deepEqual(run(etlRule('JsonArray', [], { data_type: 'JsonLines', line_separator: '||' }), TWO), ['{"k":"a","n":1}||{"k":"b","n":2}']);
  });

  test('KeyValueLine: key=value joined by spaces, custom separators, "" = default; one payload per record', () => {
    const rec = '{"a":1,"b":true,"c":"hello","d":null,"e":{"x":[1]}}';
    assert.deepEqual(run(etlRule('JsonObject', [], 'KeyValueLine'), rec), ['a=1 b=true c=hello d=null e={"x":[1]}']);
    assert.deepEqual(run(etlRule('JsonObject', [], { data_type: 'KeyValueLine', token_separator: ';', kv_separator: ':' }), rec), ['a:1;b:true;c:hello;d:null;e:{"x":[1]}']);
    assert.deepEqual(run(etlRule('JsonObject', [], { data_type: 'KeyValueLine', token_separator: '', kv_separator: '' }), '{"a":1}'), ['a=1']);
    assert.deepEqual(run(etlRule('JsonArray', [], 'KeyValueLine'), TWO), ['k=a n=1', 'k=b n=2']);
  });

  test('PositionalLine: col_N fields in index order, other fields not written', () => {
    const rec = '{"col_3":36.5,"col_0":"2026-03-03","other":"x","col_1":"INFO","col_2":"d1","col_10":"z"}';
    assert.deepEqual(run(etlRule('JsonObject', [], 'PositionalLine'), rec), ['2026-03-03 INFO d1 36.5 z']);
    assert.deepEqual(run(etlRule('JsonObject', [], { data_type: 'PositionalLine', token_separator: '|' }), rec), ['2026-03-03|INFO|d1|36.5|z']);
    assert.deepEqual(run(etlRule('PositionalLine', [], 'PositionalLine'), 'a  b c'), ['a b c']);
  });

  test('Csv: header = every key in first-seen order (RobustMQ sorts them), empty cells for missing keys, RFC 4180 quoting', () => {
    assert.deepEqual(run(etlRule('JsonArray', [], 'Csv'), '[{"ts":"2026-03-03","temp":36.5},{"ts":"2026-03-04","temp":37.25}]'), ['ts,temp\n2026-03-03,36.5\n2026-03-04,37.25\n']);
    assert.deepEqual(run(etlRule('JsonArray', [], 'Csv'), '[{"a":1,"b":2},{"a":3,"c":4}]'), ['a,b,c\n1,2,\n3,,4\n']);
    const tricky = '[{"name":"Smith, J.","note":"said \\"hi\\"\\nbye","pad":" x ","cr":"a\\rb","obj":{"k":[1,2]},"nul":null}]';
    const [csv] = run(etlRule('JsonArray', [], 'Csv'), tricky);
    assert.equal(csv, 'name,note,pad,cr,obj,nul\n"Smith, J.","said ""hi""\nbye"," x ","a\rb","{""k"":[1,2]}",\n');
    // and it reads back the same through the Csv decoder
    assert.deepEqual(run(etlRule('Csv', [], 'JsonArray'), csv ?? ''), ['[{"name":"Smith, J.","note":"said \\"hi\\"\\nbye","pad":" x ","cr":"a\\rb","obj":"{\\"k\\":[1,2]}","nul":""}]']);
    assert.deepEqual(run(etlRule('JsonArray', [], 'Csv'), '[]'), []);
  });

  test('PlainText: the "message" field, one payload per record; a record without a string message is an error', () => {
    assert.deepEqual(run(etlRule('JsonArray', [], 'PlainText'), '[{"message":"hello"},{"message":"world"}]'), ['hello', 'world']);
    const e = etlError(etlRule('JsonArray', [], 'PlainText'), '[{"message":"ok"},{"message":1}]');
    assert.equal(e.message, 'encode_rule (PlainText): record 1 has no string field "message"');
  });

  test('Bytes: the "bytes" array as raw bytes; anything but integers 0–255 is an error', () => {
    const out = compileEtlRule(etlRule('JsonObject', [], 'Bytes')).apply(Buffer.from('{"bytes":[137,80,78,71]}'), 0);
    assert.deepEqual(out, [Buffer.from([137, 80, 78, 71])]);
    assert.match(etlError(etlRule('JsonObject', [], 'Bytes'), '{"bytes":[1,256]}').message, /^encode_rule \(Bytes\): record 0: bytes\[1\] is not an integer 0–255$/);
    assert.match(etlError(etlRule('JsonObject', [], 'Bytes'), '{"bytes":"x"}').message, /no array field "bytes"/);
    assert.match(etlError(etlRule('JsonObject', [], 'Bytes'), '{"bytes":[1.5]}').message, /bytes\[0\]/);
  });

  test('Bytes → Bytes round-trips any payload; PlainText → PlainText any UTF-8 text', () => {
    const bin = Buffer.from([0, 255, 10, 13, 34, 92]);
    assert.deepEqual(compileEtlRule(etlRule('Bytes', [], 'Bytes')).apply(bin, 0), [bin]);
    assert.deepEqual(run(etlRule('PlainText', [], 'PlainText'), 'héllo\n世界'), ['héllo\n世界']);
  });
});
