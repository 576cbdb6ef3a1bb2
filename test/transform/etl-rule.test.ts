// The ETL rule as a whole (src/transform/etl/validate.ts, compile.ts, rule-schema.ts): validation
// errors that name the step and field, RobustMQ's empty stored rule, RobustMQ's own end-to-end
// test case, and apply() throwing nothing but EtlError whatever the input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Compile } from 'typebox/compile';
import { isSluiceError } from '../../src/errors.js';
import { compileEtlRule, DECODE_TYPES, ENCODE_TYPES, EtlError, EtlRuleSchema, etlRuleErrors, isEmptyEtlRule } from '../../src/transform/etl/index.js';
import { etlRule, run } from './etl-helpers.js';

const P = 'transform.etl_rule';
const errs = (rule: unknown) => etlRuleErrors(rule).map((e) => `${e.path}: ${e.rule}`);
const schema = Compile(EtlRuleSchema);

// RobustMQ's gateway sample (rule-engine/src/test_data.rs at 8bd49dc5, Apache-2.0), as data.
const GATEWAY = readFileSync(new URL('./fixtures/robustmq-gateway.json', import.meta.url));

describe('RobustMQ compatibility', () => {
  test("RobustMQ's apply_rule_engine_extract_chain_ok (rule-engine/src/lib.rs) gives the same record", () => {
    const rule = {
      decode_rule: { Decode: { data_type: 'JsonObject', line_separator: null, token_separator: null, kv_separator: null } },
      ops_rule_list: [
        { Extract: { field_mapping: { 'session.mqtt.topic': 'mqtt_topic', 'gateway.network.wan.ip': 'wan_ip', '/payload/alarms/0/active': 'alarm_active', 'not.exists.path': 'missing' } } },
        { Rename: { field_mapping: { mqtt_topic: 'topic', wan_ip: 'gateway_wan_ip' } } },
        {
          Set: {
            rules: [
              { target_field: 'rule_name', value: { type: 'const', value: 'extract_chain' } },
              { target_field: 'processed_at', value: { type: 'now' } },
              { target_field: 'topic_copy', value: { type: 'cel', expr: 'topic' } },
            ],
          },
        },
        { KeepOnly: { keys: ['topic', 'gateway_wan_ip', 'alarm_active', 'missing', 'rule_name', 'processed_at', 'topic_copy'] } },
        { Delete: { keys: ['missing', 'gateway_wan_ip'] } },
      ],
      encode_rule: { Encode: { data_type: 'JsonObject', line_separator: null, token_separator: null, kv_separator: null } },
    };
    assert.deepEqual(etlRuleErrors(rule), []);
    const out = compileEtlRule(rule).apply(GATEWAY, Date.UTC(2026, 2, 3, 12, 0, 0));
    assert.equal(out.length, 1);
    // RobustMQ's assertions, all of them; key order is KeepOnly's list order (RobustMQ: sorted)
    assert.equal(
      out[0]?.toString(),
      '{"topic":"factory/a/line3/meter/44001/data","alarm_active":true,"rule_name":"extract_chain","processed_at":"2026-03-03T12:00:00.000Z","topic_copy":"factory/a/line3/meter/44001/data"}',
    );
  });

  test("RobustMQ's operator_extract_complex_mapping_ok: the same fields, except that the missing path is left out (RobustMQ: \"-\")", () => {
    const rule = etlRule('JsonObject', [{ Extract: { field_mapping: { 'session.mqtt.topic': 'mqtt_topic', 'gateway.network.wan.ip': 'wan_ip', '/payload/alarms/0/active': 'alarm_active', 'payload.metrics.2.value': 'temperature', 'not.exists.path': 'missing' } } }], 'JsonObject');
    assert.deepEqual(run(rule, GATEWAY), ['{"mqtt_topic":"factory/a/line3/meter/44001/data","wan_ip":"10.8.12.34","alarm_active":true,"temperature":36.5}']);
  });

  test('the whole gateway sample passes through unchanged, its nanosecond integers exact', () => {
    const [out] = run(etlRule('JsonObject', [], 'JsonObject'), GATEWAY);
    assert.equal(out, JSON.stringify(JSON.parse(GATEWAY.toString())).replace('1709469296789123600', '1709469296789123456').replace('1709469296789234700', '1709469296789234567'));
    assert.match(out ?? '', /"ingest_ns":1709469296789000000,"rule_engine_ns":1709469296789123456,"sink_ns":1709469296789234567/);
  });

  test("RobustMQ's stored empty rule and its other empty forms do nothing: the payload passes unchanged", () => {
    const empties: unknown[] = [undefined, null, {}, { decode_rule: null, ops_rule_list: [], encode_rule: null }, { ops_rule_list: null }];
    for (const e of empties) {
      assert.deepEqual(etlRuleErrors(e), [], JSON.stringify(e));
      assert.equal(isEmptyEtlRule(e), true);
      const c = compileEtlRule(e);
      assert.equal(c.passthrough, true);
      const payload = Buffer.from('not even json');
      assert.equal(c.apply(payload, 0)[0], payload);
    }
    assert.equal(isEmptyEtlRule(etlRule('JsonObject', [], 'JsonObject')), false);
  });

  test('a rule with only some of decode_rule, operations and encode_rule is refused (RobustMQ would silently do nothing)', () => {
    assert.deepEqual(errs({ decode_rule: { Decode: { data_type: 'JsonArray' } }, ops_rule_list: [], encode_rule: { Encode: { data_type: 'JsonObject' } } }), [
      `${P}.ops_rule_list: must hold at least one operation: RobustMQ runs a rule only when it has decode_rule, at least one operation and encode_rule, and silently does nothing otherwise (to only change the format, add {"Delete": {"keys": []}}, which changes nothing)`,
    ]);
    const e = errs({ ops_rule_list: [{ Delete: { keys: ['a'] } }] });
    assert.equal(e.length, 2);
    assert.match(e[0] ?? '', /^transform\.etl_rule\.decode_rule: is required: /);
    assert.match(e[1] ?? '', /^transform\.etl_rule\.encode_rule: is required: /);
  });
});

describe('validation errors name the step and field', () => {
  test('the shape of the rule and of each operation', () => {
    assert.deepEqual(errs(5), [`${P}: must be an object`]);
    assert.deepEqual(errs({ decode_rule: null, extra: 1 }), [`${P}.extra: is not a known field`]);
    assert.deepEqual(errs({ ...etlRule('JsonObject', [], 'JsonObject'), ops_rule_list: {} }), [`${P}.ops_rule_list: must be an array of operations`]);
    const bad = etlRule('JsonObject', [{ Extract: {}, Rename: {} }, 'Delete', { Frob: {} }, { Encode: { data_type: 'JsonObject' } }, { Delete: { keys: 'a' } }, { KeepOnly: { keys: ['ok', ' ', 7] } }], 'JsonObject');
    assert.deepEqual(errs(bad), [
      `${P}.ops_rule_list[0]: must be an object with one key naming the operation: Extract, Rename, KeepOnly, Set, Delete`,
      `${P}.ops_rule_list[1]: must be an object with one key naming the operation: Extract, Rename, KeepOnly, Set, Delete`,
      `${P}.ops_rule_list[2].Frob: is not an operation: expected one of Extract, Rename, KeepOnly, Set, Delete`,
      `${P}.ops_rule_list[3].Encode: belongs in encode_rule, not in ops_rule_list (RobustMQ skips it there)`,
      `${P}.ops_rule_list[4].Delete.keys: must be an array of field names`,
      `${P}.ops_rule_list[5].KeepOnly.keys[1]: must not be empty`,
      `${P}.ops_rule_list[5].KeepOnly.keys[2]: must be a string`,
    ]);
  });

  test('Decode and Encode: the data type, unsupported Protobuf/Xml, separators, the wrong operator', () => {
    const r = (d: unknown, e: unknown) => ({ decode_rule: d, ops_rule_list: [{ Delete: { keys: [] } }], encode_rule: e });
    assert.deepEqual(errs(r({ Decode: { data_type: 'Protobuf' } }, { Encode: { data_type: 'Xml' } })), [
      `${P}.decode_rule.Decode.data_type: Protobuf is not supported (RobustMQ declares it but cannot decode it either)`,
      `${P}.encode_rule.Encode.data_type: Xml is not an output format`,
    ]);
    assert.deepEqual(errs(r({ Decode: { data_type: 'Yaml', line_separator: 3, colour: 'x' } }, { Extract: { field_mapping: {} } })), [
      `${P}.decode_rule.Decode.colour: is not a known field`,
      `${P}.encode_rule.Extract: is not allowed here: encode_rule takes only {"Encode": {"data_type": …}}`,
    ]);
    assert.deepEqual(errs(r({ Decode: { data_type: 'Yaml', line_separator: 3 } }, { Encode: {} })), [
      `${P}.decode_rule.Decode.data_type: must be one of: ${DECODE_TYPES.join(', ')}`,
      `${P}.decode_rule.Decode.line_separator: must be a string or null`,
      `${P}.encode_rule.Encode.data_type: is required`,
    ]);
    assert.deepEqual(errs(r('JsonObject', { Encode: { data_type: 'Csv' } })), [`${P}.decode_rule: must be {"Decode": {"data_type": …}}`]);
  });

  test('Extract and Rename mappings: paths and targets named by their key', () => {
    const r = etlRule('JsonObject', [{ Extract: { field_mapping: { 'a.b': '', '...': 'x', '/a/~2': 'y', ok: 'fine' } } }, { Rename: { field_mapping: { ' ': 'x', a: 5 } } }, { Extract: { field_mapping: [] } }], 'JsonObject');
    assert.deepEqual(errs(r), [
      `${P}.ops_rule_list[0].Extract.field_mapping["a.b"]: must not be empty`,
      `${P}.ops_rule_list[0].Extract.field_mapping["..."]: source path must name a field (a dotted path or a JSON Pointer starting with "/")`,
      `${P}.ops_rule_list[0].Extract.field_mapping["/a/~2"]: source path is a JSON Pointer with a "~" not followed by 0 or 1`,
      `${P}.ops_rule_list[1].Rename.field_mapping[" "]: the source field must not be empty`,
      `${P}.ops_rule_list[1].Rename.field_mapping["a"]: must be a string`,
      `${P}.ops_rule_list[2].Extract.field_mapping: must be an object (source → target)`,
    ]);
  });

  test('Set rules: the value type, required fields, const depth, the CEL expression', () => {
    const deep = JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`) as unknown;
    const r = etlRule(
      'JsonObject',
      [
        { Set: { rules: [{ target_field: 'a', value: { type: 'const' } }, { target_field: 'b', value: { type: 'cel' } }, { target_field: '', value: { type: 'now' } }] } },
        { Set: { rules: [{ target_field: 'c', value: { type: 'later' } }, { target_field: 'd', value: { type: 'now', expr: 'x' } }, { target_field: 'e', value: { type: 'const', value: deep } }] } },
        { Set: { rules: [{ target_field: 'x', value: { type: 'cel', expr: 'temp *' } }] } },
      ],
      'JsonObject',
    );
    assert.deepEqual(errs(r), [
      `${P}.ops_rule_list[0].Set.rules[0].value.value: is required (null is a value)`,
      `${P}.ops_rule_list[0].Set.rules[1].value.expr: is required`,
      `${P}.ops_rule_list[0].Set.rules[2].target_field: must not be empty`,
      `${P}.ops_rule_list[1].Set.rules[0].value.type: must be one of: const, now, cel`,
      `${P}.ops_rule_list[1].Set.rules[1].value.expr: is not a field of a now value`,
      `${P}.ops_rule_list[1].Set.rules[2].value.value: is nested deeper than 128 levels`,
      `${P}.ops_rule_list[2].Set.rules[0].value.expr: does not compile: Unexpected token: EOF (at character 7)`,
    ]);
  });

  test('compileEtlRule refuses an invalid rule with the same errors (VALIDATION_FAILED)', () => {
    try {
      compileEtlRule({ decode_rule: { Decode: { data_type: 'Xml' } } }, 'etl_rule');
      assert.fail('expected a validation error');
    } catch (e) {
      assert.ok(isSluiceError(e));
      assert.equal(e.code, 'VALIDATION_FAILED');
      assert.equal(e.fields[0]?.path, 'etl_rule.decode_rule.Decode.data_type');
    }
  });

  test('EtlRuleSchema describes the same shape: what validates passes the schema, shape errors fail both', () => {
    const valid: unknown[] = [
      {},
      { decode_rule: null, ops_rule_list: [], encode_rule: null },
      ...DECODE_TYPES.map((t, i) => etlRule(t, [], ENCODE_TYPES[(i + 3) % ENCODE_TYPES.length] ?? 'JsonObject')),
      etlRule({ data_type: 'KeyValueLine', token_separator: ';', kv_separator: null }, [{ Extract: { field_mapping: { 'a.b': 'x' } } }, { Rename: { field_mapping: { x: 'y' } } }, { KeepOnly: { keys: ['y'] } }, { Set: { rules: [{ target_field: 'z', value: { type: 'const', value: { n: [1] } } }, { target_field: 'n', value: { type: 'now' } }, { target_field: 'c', value: { type: 'cel', expr: 'y + 1' } }] } }, { Delete: { keys: ['n'] } }], 'Csv'),
    ];
    for (const v of valid) {
      assert.deepEqual(etlRuleErrors(v), [], JSON.stringify(v));
      assert.ok(schema.Check(v), `schema refuses ${JSON.stringify(v)}`);
    }
    const shapeErrors: unknown[] = [
      { extra: 1 },
      { decode_rule: { Decode: { data_type: 'Xml' } } },
      { decode_rule: { Extract: { field_mapping: {} } } },
      { ops_rule_list: [{ Decode: { data_type: 'JsonObject' } }] },
      { ops_rule_list: [{ Set: { rules: [{ target_field: 'x', value: { type: 'now', expr: '1' } }] } }] },
      { ops_rule_list: [{ Extract: { field_mapping: { a: 1 } } }] },
      { ops_rule_list: [{ KeepOnly: { keys: [''] } }] },
    ];
    for (const v of shapeErrors) {
      assert.notDeepEqual(etlRuleErrors(v), [], JSON.stringify(v));
      assert.ok(!schema.Check(v), `schema accepts ${JSON.stringify(v)}`);
    }
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(EtlRuleSchema)));
  });
});

describe('apply() never throws anything but EtlError', () => {
  // a small deterministic PRNG, so a failure reproduces
  function prng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  test('random and mangled payloads through every decoder and a rule using every operation', () => {
    const ops = [
      { Extract: { field_mapping: { a: 'a', 'b.0': 'b', '/c/d': 'c', col_0: 'col_0', message: 'message', bytes: 'bytes' } } },
      { Rename: { field_mapping: { a: 'x' } } },
      { Set: { rules: [{ target_field: 'y', value: { type: 'cel', expr: 'has(record.x) ? string(record.x) : "none"' } }, { target_field: 't', value: { type: 'now' } }] } },
      { KeepOnly: { keys: ['x', 'y', 'b', 'c', 't', 'col_0', 'message', 'bytes'] } },
      { Delete: { keys: ['t'] } },
    ];
    const seeds = ['{"a":1,"b":[2],"c":{"d":3}}', '[{"a":"x"},{"b":[[1]]}]', 'a=1 b=2', 'x y z', 'a,b\n1,"2"\n', 'hello', '{"a":12345678901234567890}'];
    const rand = prng(15);
    const compiled = DECODE_TYPES.flatMap((d) => ENCODE_TYPES.map((e) => ({ d, e, rule: compileEtlRule(etlRule(d, ops, e)) })));
    let outputs = 0;
    let failures = 0;
    for (let round = 0; round < 200; round++) {
      const base = Buffer.from(seeds[round % seeds.length] ?? '');
      const mangled = Buffer.from(base);
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) mangled[Math.floor(rand() * mangled.length)] = Math.floor(rand() * 256);
      for (const { d, e, rule } of compiled) {
        for (const payload of [base, mangled]) {
          try {
            outputs += rule.apply(payload, 1_700_000_000_000).length;
          } catch (err) {
            assert.ok(err instanceof EtlError, `${d} → ${e} on ${JSON.stringify(payload.toString('latin1'))}: ${String(err)}`);
            assert.match(err.message, /^(decode_rule|ops_rule_list\[\d\]|encode_rule) \(\w+\): /);
            failures++;
          }
        }
      }
    }
    assert.ok(outputs > 0 && failures > 0, `outputs ${outputs}, failures ${failures}`);
  });

  test('an impossible `now` is an EtlError too', () => {
    const r = compileEtlRule(etlRule('JsonObject', [{ Set: { rules: [{ target_field: 't', value: { type: 'now' } }] } }], 'JsonObject'));
    assert.throws(() => r.apply(Buffer.from('{}'), Number.NaN), (e: unknown) => e instanceof EtlError && /^ops_rule_list\[0\] \(Set\): /.test(e.message));
  });
});
