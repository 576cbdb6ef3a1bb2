// Every decoder of the ETL rule engine, its RobustMQ defaults and its error paths (src/transform/etl/decode.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ETL_LIMITS } from '../../src/transform/etl/index.js';
import { decodeToObjects, etlError, etlRule, run } from './etl-helpers.js';

describe('ETL decoders', () => {
  test('JsonObject: one record; a root that is not an object is an error naming the step', () => {
    assert.deepEqual(decodeToObjects('JsonObject', '{"device":"d1","temp":36.5}'), [{ device: 'd1', temp: 36.5 }]);
    const e = etlError(etlRule('JsonObject', [], 'JsonObject'), '[1,2]');
    assert.equal(e.step, 'decode_rule (JsonObject)');
    assert.match(e.message, /^decode_rule \(JsonObject\): the JSON value is an array, not an object$/);
    assert.match(etlError(etlRule('JsonObject', [], 'JsonObject'), '{"a":').message, /^decode_rule \(JsonObject\): not valid JSON: /);
  });

  test('JsonArray: one record per element; a non-object element is named by index', () => {
    assert.deepEqual(decodeToObjects('JsonArray', '[{"device":"d1"},{"device":"d2"}]'), [{ device: 'd1' }, { device: 'd2' }]);
    assert.deepEqual(decodeToObjects('JsonArray', '[]'), []);
    assert.match(etlError(etlRule('JsonArray', [], 'JsonObject'), '[{"k":"v"}, 42]').message, /element 1 is a number, not an object/);
    assert.match(etlError(etlRule('JsonArray', [], 'JsonObject'), '{"k":1}').message, /not an array/);
  });

  test('JsonLines: line breaks by default, a custom line_separator, blank lines skipped, the bad line named', () => {
    assert.deepEqual(decodeToObjects('JsonLines', '{"d":"d1"}\r\n\n  {"d":"d2"}  \n'), [{ d: 'd1' }, { d: 'd2' }]);
    assert.deepEqual(decodeToObjects({ data_type: 'JsonLines', line_separator: '||' }, '{"d":"d1"}||{"d":"d2"}'), [{ d: 'd1' }, { d: 'd2' }]);
    assert.deepEqual(decodeToObjects({ data_type: 'JsonLines', line_separator: '' }, '{"d":1}\n{"d":2}'), [{ d: 1 }, { d: 2 }]);
    assert.match(etlError(etlRule('JsonLines', [], 'JsonObject'), '{"d":1}\n{oops}').message, /^decode_rule \(JsonLines\): line 2: not valid JSON/);
    assert.match(etlError(etlRule('JsonLines', [], 'JsonObject'), '{"d":1}\n[1]').message, /line 2 is an array, not an object/);
  });

  test('KeyValueLine: RobustMQ defaults (whitespace, "="), typed scalars, custom separators', () => {
    assert.deepEqual(decodeToObjects('KeyValueLine', 'ts=2026-03-03 level=INFO temp=36.5 n=7 ok=TRUE huge=99999999999999999999 inf=inf'), [
      { ts: '2026-03-03', level: 'INFO', temp: 36.5, n: 7, ok: true, huge: 1e20, inf: 'inf' },
    ]);
    // exact: the i64 maximum stays exact (bigint inside, digits on output)
    assert.deepEqual(run(etlRule('KeyValueLine', [], 'JsonObject'), 'big=9223372036854775807'), ['{"big":9223372036854775807}']);
    assert.deepEqual(decodeToObjects({ data_type: 'KeyValueLine', token_separator: ';', kv_separator: ':' }, 'a:1;b:true;c:hello'), [{ a: 1, b: true, c: 'hello' }]);
    assert.deepEqual(decodeToObjects({ data_type: 'KeyValueLine', token_separator: '', kv_separator: '' }, 'a=1 b=true c=hello'), [{ a: 1, b: true, c: 'hello' }]);
    assert.deepEqual(decodeToObjects('KeyValueLine', 'a==1 b='), [{ a: '=1', b: '' }]);
    assert.deepEqual(decodeToObjects('KeyValueLine', ''), [{}]);
  });

  test('KeyValueLine errors: a token without the separator, an empty key, a repeated key', () => {
    const r = etlRule('KeyValueLine', [], 'JsonObject');
    assert.match(etlError(r, 'a=1 junk').message, /^decode_rule \(KeyValueLine\): token "junk" has no "="$/);
    assert.match(etlError(r, '=1').message, /empty key/);
    assert.match(etlError(r, 'a=1 a=2').message, /key "a" appears twice/);
  });

  test('PositionalLine: col_0…col_N, whitespace or a token_separator; empty input is an error', () => {
    assert.deepEqual(decodeToObjects('PositionalLine', '2026-03-03 INFO  d1 36.5'), [{ col_0: '2026-03-03', col_1: 'INFO', col_2: 'd1', col_3: 36.5 }]);
    assert.deepEqual(decodeToObjects({ data_type: 'PositionalLine', token_separator: '|' }, '2026-03-03|INFO||d1|36.5'), [{ col_0: '2026-03-03', col_1: 'INFO', col_2: 'd1', col_3: 36.5 }]);
    assert.match(etlError(etlRule('PositionalLine', [], 'JsonObject'), '   ').message, /no tokens/);
  });

  test('Csv: header row → fields, typed unquoted cells, RFC 4180 quoted fields (commas, quotes, line breaks)', () => {
    assert.deepEqual(decodeToObjects('Csv', 'a,b\n1,2\n3,4'), [{ a: 1, b: 2 }, { a: 3, b: 4 }]);
    const csv = 'id, name ,note\r\n1,"Smith, J.","said ""hi""\nand left"\r\n\r\n2,"007",  plain  \r\n';
    assert.deepEqual(decodeToObjects('Csv', csv), [
      { id: 1, name: 'Smith, J.', note: 'said "hi"\nand left' },
      { id: 2, name: '007', note: 'plain' },
    ]);
    assert.deepEqual(decodeToObjects('Csv', 'a,b\n"x" , y\n'), [{ a: 'x', b: 'y' }]);
    assert.deepEqual(decodeToObjects('Csv', 'a\nit"s\n'), [{ a: 'it"s' }]);
    assert.deepEqual(decodeToObjects('Csv', 'a,b\n'), []);
  });

  test('Csv errors: empty payload, cell count, unclosed quote, text after a closing quote, a repeated header', () => {
    const r = etlRule('Csv', [], 'JsonObject');
    assert.match(etlError(r, '\n \n').message, /empty \(no header row\)/);
    assert.match(etlError(r, 'a,b\n1,2\n3').message, /^decode_rule \(Csv\): csv row at line 3 has 1 cells but the header has 2$/);
    assert.match(etlError(r, 'a\n"open').message, /quoted field is not closed/);
    assert.match(etlError(r, 'a\n"x"y').message, /unexpected "y" after a closing quote/);
    assert.match(etlError(r, 'a,a\n1,2').message, /column "a" twice/);
  });

  test('PlainText: the whole text as "message"; Bytes: the bytes as numbers', () => {
    assert.deepEqual(decodeToObjects('PlainText', 'device d1 temp 36.5'), [{ message: 'device d1 temp 36.5' }]);
    assert.deepEqual(decodeToObjects('Bytes', Buffer.from([137, 80, 78, 71])), [{ bytes: [137, 80, 78, 71] }]);
  });

  test('text decoders refuse invalid UTF-8 instead of replacing it', () => {
    for (const t of ['JsonObject', 'JsonLines', 'KeyValueLine', 'PositionalLine', 'Csv', 'PlainText']) {
      assert.match(etlError(etlRule(t, [], 'JsonObject'), Buffer.from([0x61, 0xff, 0x62])).message, /not valid UTF-8/, t);
    }
  });

  test('integers beyond 2^53 pass through exactly (RobustMQ keeps them as u64/i64)', () => {
    const payload = '{"ingest_ns":1709469296789123456,"neg":-9007199254740993,"f":1.5e+300,"s":"12345678901234567890"}';
    assert.deepEqual(run(etlRule('JsonObject', [], 'JsonObject'), payload), [payload]);
    // other numbers print as JavaScript does (RobustMQ: 1.5e300, 2.0)
    assert.deepEqual(run(etlRule('JsonObject', [], 'JsonObject'), '{"f":1.5e300,"g":2.0}'), ['{"f":1.5e+300,"g":2}']);
    assert.deepEqual(run(etlRule('JsonArray', [], 'JsonLines'), `[${payload},{"x":[1,{"y":18446744073709551615}]}]`), [`${payload}\n{"x":[1,{"y":18446744073709551615}]}`]);
    // the exact parser is as strict as JSON.parse
    for (const bad of ['{"a":1234567890123456789,}', '{"a":01234567890123456789}', '{"a":1234567890123456789} x', '{"a":"1234567890123456789\n"}']) {
      assert.match(etlError(etlRule('JsonObject', [], 'JsonObject'), bad).message, /not valid JSON/, bad);
    }
  });

  test('a field named __proto__ is a field like any other', () => {
    const ops = JSON.parse('[{"Rename":{"field_mapping":{"__proto__":"p"}}},{"Set":{"rules":[{"target_field":"__proto__","value":{"type":"const","value":{"polluted":true}}}]}}]') as unknown[];
    assert.deepEqual(run(etlRule('JsonObject', ops, 'JsonObject'), '{"__proto__":{"a":1},"b":2}'), ['{"p":{"a":1},"b":2,"__proto__":{"polluted":true}}']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // nested: kept as data by both JSON paths (the exact one is taken when a long digit run appears)
    assert.deepEqual(run(etlRule('JsonObject', [], 'JsonObject'), '{"x":{"__proto__":{"n":12345678901234567890}}}'), ['{"x":{"__proto__":{"n":12345678901234567890}}}']);
  });
});

describe('ETL decoder bounds (hostile input)', () => {
  test(`nesting deeper than ${ETL_LIMITS.maxDepth} is refused before parsing; ${ETL_LIMITS.maxDepth} levels pass`, () => {
    const deep = (n: number) => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    assert.equal(run(etlRule('JsonObject', [], 'JsonObject'), deep(ETL_LIMITS.maxDepth)).length, 1);
    const e = etlError(etlRule('JsonObject', [], 'JsonObject'), deep(ETL_LIMITS.maxDepth + 1));
    assert.equal(e.message, `decode_rule (JsonObject): nested deeper than ${ETL_LIMITS.maxDepth} levels`);
    // a million levels: refused quickly, no stack overflow
    const t = performance.now();
    assert.match(etlError(etlRule('JsonArray', [], 'JsonObject'), '['.repeat(1_000_000) + ']'.repeat(1_000_000)).message, /nested deeper/);
    assert.ok(performance.now() - t < 2000);
    // brackets inside strings do not count
    assert.equal(run(etlRule('JsonObject', [], 'JsonObject'), JSON.stringify({ s: '['.repeat(10_000) })).length, 1);
    assert.match(etlError(etlRule('JsonLines', [], 'JsonObject'), `{}\n${deep(ETL_LIMITS.maxDepth + 1)}`).message, /line 2: nested deeper/);
  });

  test(`more than ${ETL_LIMITS.maxRecords} records per message is refused (JsonArray, JsonLines, Csv)`, () => {
    const n = ETL_LIMITS.maxRecords;
    assert.equal(run(etlRule('JsonArray', [], 'JsonLines'), `[${'{},'.repeat(n - 1)}{}]`)[0]?.split('\n').length, n);
    assert.match(etlError(etlRule('JsonArray', [], 'JsonLines'), `[${'{},'.repeat(n)}{}]`).message, new RegExp(`${n + 1} array elements, more than the limit of ${n} records`));
    assert.match(etlError(etlRule('JsonLines', [], 'JsonLines'), '{}\n'.repeat(n + 1)).message, /JSON lines, more than the limit/);
    assert.match(etlError(etlRule('Csv', [], 'Csv'), `a\n${'1\n'.repeat(n + 1)}`).message, /CSV rows/);
  });

  test(`the Bytes decoder takes at most ${ETL_LIMITS.maxBytesDecoded} bytes`, () => {
    assert.equal(compileBytes(Buffer.alloc(ETL_LIMITS.maxBytesDecoded)).length, ETL_LIMITS.maxBytesDecoded);
    assert.match(etlError(etlRule('Bytes', [], 'Bytes'), Buffer.alloc(ETL_LIMITS.maxBytesDecoded + 1)).message, /more than the Bytes decoder's limit/);
  });
});

function compileBytes(payload: Buffer): Buffer {
  const [out] = run(etlRule('Bytes', [], 'Bytes'), payload).map((s) => Buffer.from(s, 'latin1'));
  assert.ok(out);
  return out;
}
