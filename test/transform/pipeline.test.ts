// The JSONata half of a connector's transform: how a record looks to an expression, the filter,
// the map (payload, topic, user properties), the create-time checks, and the bounds on hostile
// expressions and payloads.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SinkRecord } from '../../src/connectors/sink.js';
import { parseTransform, type Transform } from '../../src/metadata/transform.js';
import { compileTransform, type TransformOutcome } from '../../src/core/transform/pipeline.js';
import { recordView } from '../../src/core/transform/record-view.js';

const rec = (payload: string | Buffer, topic = 'plant/site-7/dev-3/temp', userProperties?: Record<string, string>): SinkRecord => ({
  id: 'ep-42', offset: 42, topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: 1, retain: false, timestamp: 1_767_225_600_000,
  ...(userProperties ? { properties: { userProperties } } : {}),
});

function compiled(input: Record<string, unknown>) {
  const t = parseTransform(input);
  assert.deepEqual(t.errors, []);
  assert.ok(t.value);
  return compileTransform(t.value as Transform);
}

const sent = (o: TransformOutcome): SinkRecord[] => (o.kind === 'records' ? o.records : []);

describe('what an expression sees', () => {
  test('JSON payloads parsed, text kept as text, binary as base64; topic levels; metadata', () => {
    assert.deepEqual(recordView(rec('{"temp":31.5}')).payload, { temp: 31.5 });
    assert.equal(recordView(rec('{"temp":31.5}')).payload_encoding, 'json');
    assert.equal(recordView(rec('42')).payload, 42);
    assert.equal(recordView(rec('hello world')).payload, 'hello world');
    assert.equal(recordView(rec('{not json')).payload, '{not json');
    const bin = recordView(rec(Buffer.from([0xff, 0xfe, 0x00])));
    assert.deepEqual([bin.payload, bin.payload_encoding], ['//4A', 'base64']);
    const v = recordView(rec('x', 'a/b/c', { site: 's1' }));
    assert.deepEqual(v.topic_levels, ['a', 'b', 'c']);
    assert.deepEqual([v.id, v.qos, v.retain, v.timestamp], ['ep-42', 1, false, 1_767_225_600_000]);
    assert.deepEqual(v.properties.user_properties, { site: 's1' });
  });
});

describe('filter', () => {
  test('keeps what the expression is true for; a path that matches nothing drops the record', async () => {
    const t = compiled({ filter: 'payload.temp > 30 and topic_levels[1] = "site-7"' });
    assert.equal((await t.apply(rec('{"temp":31}'))).kind, 'records');
    assert.equal((await t.apply(rec('{"temp":29}'))).kind, 'filtered');
    assert.equal((await t.apply(rec('{"temp":31}', 'plant/site-8/x'))).kind, 'filtered');
    assert.equal((await t.apply(rec('{"humidity":50}'))).kind, 'filtered', 'no temp: undefined is not true');
  });

  test('the record passes unchanged: same id, offset, bytes', async () => {
    const r = rec('{"temp":31}');
    assert.deepEqual(sent(await compiled({ filter: 'true' }).apply(r)), [r]);
  });
});

describe('map', () => {
  test('payload as JSON from an object; a string as its text; topic and user properties', async () => {
    const t = compiled({ map: { payload: '{ "device": topic_levels[2], "fahrenheit": payload.temp * 1.8 + 32 }', topic: '"out/" & topic_levels[1]', user_properties: '{ "route": topic_levels[1], "n": 3 }' } });
    const [r] = sent(await t.apply(rec('{"temp":20}', 'plant/site-7/dev-3/temp', { keep: 'me' })));
    assert.ok(r);
    assert.deepEqual(JSON.parse(r.payload.toString()), { device: 'dev-3', fahrenheit: 68 });
    assert.equal(r.topic, 'out/site-7');
    assert.deepEqual(r.properties?.userProperties, { keep: 'me', route: 'site-7', n: '3' });
    assert.equal(r.id, 'ep-42', 'the id is kept, so a redelivery is still deduplicated');
    const [text] = sent(await compiled({ map: '$uppercase(payload)' }).apply(rec('abc')));
    assert.equal(text?.payload.toString(), 'ABC');
  });

  test('a map that gives no value, or a topic that is not a topic name, fails the record with the place named', async () => {
    await assert.rejects(async () => compiled({ map: 'payload.missing' }).apply(rec('{"a":1}')), /transform\.map: gave no value/);
    await assert.rejects(async () => compiled({ map: { topic: '"a/#"' } }).apply(rec('{}')), /transform\.map\.topic: "a\/#" is not a valid topic name/);
    await assert.rejects(async () => compiled({ map: { topic: '42' } }).apply(rec('{}')), /transform\.map\.topic: must give a string/);
  });
});

describe('checks when the definition is written', () => {
  test('an expression that does not parse is named with the position', () => {
    const r = parseTransform({ filter: 'payload.temp >' });
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.path, 'transform.filter');
    assert.match(r.errors[0]?.rule ?? '', /^does not parse at position \d+: /);
    const m = parseTransform({ map: { payload: '{ "a": }', topic: '"ok"' } });
    assert.deepEqual(m.errors.map((e) => e.path), ['transform.map.payload']);
  });

  test('unknown fields and wrong types are refused; null and {} mean no transform', () => {
    assert.deepEqual(parseTransform({ filtr: 'true' }).errors, [{ path: 'transform.filtr', rule: 'is not a known field' }]);
    assert.equal(parseTransform({ timeout_ms: 0, filter: 'true' }).errors[0]?.path, 'transform.timeout_ms');
    assert.deepEqual(parseTransform(null), { errors: [] });
    assert.deepEqual(parseTransform({}), { errors: [] });
    assert.deepEqual(parseTransform('x').errors, [{ path: 'transform', rule: 'must be an object' }]);
  });
});

describe('hostile expressions and payloads are bounded', () => {
  test('an expression that never ends stops at timeout_ms', async () => {
    const t = compiled({ filter: '( $f := function($n) { $f($n + 1) }; $f(0) )', timeout_ms: 20, max_depth: 1000 });
    const started = Date.now();
    await assert.rejects(async () => t.apply(rec('{}')), /transform\.filter: (ran longer than timeout_ms|went deeper than max_depth)/);
    assert.ok(Date.now() - started < 2000);
  });

  test('deep recursion stops at max_depth', async () => {
    const t = compiled({ filter: '( $f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000) > 0 )', max_depth: 50, timeout_ms: 1000 });
    await assert.rejects(async () => t.apply(rec('{}')), /transform\.filter: went deeper than max_depth/);
  });

  test('a huge range is refused instead of allocated', async () => {
    await assert.rejects(async () => compiled({ map: '[1..100000000]' }).apply(rec('{}')), /transform\.map: (built a sequence|.*too large|.*range)/i);
  });

  test('a deeply nested payload and a huge array payload are read without crashing', async () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const o = await (async () => compiled({ filter: '$exists(payload)' }).apply(rec(deep)))().catch((e: Error) => e);
    assert.ok(o instanceof Error ? /transform\.filter/.test(o.message) : o.kind === 'records');
    const big = JSON.stringify(Array.from({ length: 200_000 }, (_, i) => i));
    const sum = sent(await compiled({ map: '$count(payload)' }).apply(rec(big)));
    assert.equal(sum[0]?.payload.toString(), '200000');
  });
});

describe("RobustMQ's etl_rule in the transform", () => {
  const splitRule = {
    decode_rule: { Decode: { data_type: 'JsonArray', line_separator: null, token_separator: null, kv_separator: null } },
    ops_rule_list: [{ Rename: { field_mapping: { t: 'celsius' } } }, { Set: { rules: [{ target_field: 'site', value: { type: 'const', value: 'site-7' } }] } }],
    encode_rule: { Encode: { data_type: 'JsonObject', line_separator: null, token_separator: null, kv_separator: null } },
  };

  test('a JSON array payload becomes one record per element, with stable ids; the filter runs first', async () => {
    const t = compiled({ filter: '$count(payload) > 0', etl_rule: splitRule });
    const out = sent(await t.apply(rec('[{"t":20},{"t":21,"x":1}]')));
    assert.deepEqual(out.map((r) => [r.id, JSON.parse(r.payload.toString())]), [['ep-42#0', { celsius: 20, site: 'site-7' }], ['ep-42#1', { celsius: 21, x: 1, site: 'site-7' }]]);
    assert.equal((await t.apply(rec('[]'))).kind, 'filtered');
    const one = sent(await compiled({ etl_rule: splitRule }).apply(rec('[{"t":1}]')));
    assert.equal(one[0]?.id, 'ep-42', 'a single output keeps the record id');
  });

  test('a payload the rule cannot decode fails that record, naming the step', async () => {
    await assert.rejects(async () => compiled({ etl_rule: splitRule }).apply(rec('{"not":"an array"}')), /transform\.etl_rule: /);
  });

  test('checked at create: the step named; not together with map; an empty rule (RobustMQ stores one) is no transform', () => {
    const bad = parseTransform({ etl_rule: { ...splitRule, decode_rule: { Decode: { data_type: 'Xml' } } } });
    assert.ok(bad.errors.length > 0 && bad.errors.every((e) => e.path.startsWith('transform.etl_rule.decode_rule')), JSON.stringify(bad.errors));
    assert.deepEqual(parseTransform({ etl_rule: splitRule, map: 'payload' }).errors, [{ path: 'transform.etl_rule', rule: 'cannot be used together with map: shape the payload with one of them' }]);
    assert.deepEqual(parseTransform({ etl_rule: { decode_rule: null, ops_rule_list: [], encode_rule: null } }), { errors: [] });
  });
});
