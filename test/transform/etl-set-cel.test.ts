// Set rules (src/transform/etl/set-op.ts) and their CEL (cel-runtime.ts, cel-values.ts): RobustMQ's
// const / now / cel values, cel-rust's mixed int/double arithmetic, and the evaluation bounds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ETL_LIMITS, etlRuleErrors } from '../../src/transform/etl/index.js';
import { etlError, etlRule, run } from './etl-helpers.js';

type SetValue = { type: 'const'; value: unknown } | { type: 'now' } | { type: 'cel'; expr: string };
const setRule = (rules: Array<[string, SetValue]>) => etlRule('JsonObject', [{ Set: { rules: rules.map(([target_field, value]) => ({ target_field, value })) } }], 'JsonObject');
const cel = (expr: string): SetValue => ({ type: 'cel', expr });
const setOne = (rules: Array<[string, SetValue]>, payload: unknown): Record<string, unknown> => {
  const [out] = run(setRule(rules), JSON.stringify(payload), Date.UTC(2026, 2, 3, 12, 34, 56, 789));
  return JSON.parse(out ?? 'null') as Record<string, unknown>;
};

describe('Set', () => {
  test("RobustMQ's own case: const, now (RFC 3339, from apply's `now`), cel temp * 1.8 + 32.0", () => {
    const out = setOne([['tenant', { type: 'const', value: 'tenant_a' }], ['processed_at', { type: 'now' }], ['temp_f', cel('temp * 1.8 + 32.0')]], { device: 'd1', temp: 36.5, count: 2 });
    assert.equal(out.tenant, 'tenant_a');
    assert.equal(out.processed_at, '2026-03-03T12:34:56.789Z');
    assert.ok(Math.abs((out.temp_f as number) - 97.7) < 1e-9);
    assert.deepEqual(Object.keys(out), ['device', 'temp', 'count', 'tenant', 'processed_at', 'temp_f']);
  });

  test('int and double mix as in cel-rust: temp * 1.8 + 32 works for 36 and 36.5; int / int stays integer', () => {
    assert.equal(setOne([['f', cel('temp * 1.8 + 32')]], { temp: 36 }).f, 96.8);
    assert.equal(setOne([['f', cel('temp * 1.8 + 32')]], { temp: 36.5 }).f, 97.7);
    assert.deepEqual(setOne([['q', cel('n / 2')], ['r', cel('n / 2.0')], ['e', cel('n == 7.0')], ['m', cel('n % 2')]], { n: 7 }), { n: 7, q: 3, r: 3.5, e: true, m: 1 });
  });

  test('a later rule sees the fields set before it; an existing field is overwritten in place', () => {
    assert.deepEqual(setOne([['a', { type: 'const', value: 10 }], ['b', cel('a * 2')], ['x', cel('b + 1')]], { x: 0, y: 1 }), { x: 21, y: 1, a: 10, b: 20 });
  });

  test('`record` is the whole record (also for keys that are not identifiers); a field named record wins', () => {
    assert.deepEqual(setOne([['n', cel('size(record)')], ['v', cel('record["a-b"] + 1')], ['h', cel('has(record.zz)')]], { 'a-b': 1 }), { 'a-b': 1, n: 1, v: 2, h: false });
    assert.deepEqual(setOne([['v', cel('record')]], { record: 'mine' }), { record: 'mine', v: 'mine' });
  });

  test('CEL results become JSON: lists, maps, strings, bytes (base64), timestamps, durations, uints, exact big ints', () => {
    const out = setOne(
      [
        ['l', cel('items.map(x, x * 2)')],
        ['m', cel('{"k": name + "!", "n": 1}')],
        ['b', cel('b"hi"')],
        ['t', cel('timestamp("2024-01-01T00:00:00Z")')],
        ['d', cel('duration("1h")')],
        ['u', cel('uint(5)')],
        ['s', cel('string(items.size())')],
        ['z', cel('null')],
      ],
      { items: [1, 2], name: 'x' },
    );
    assert.deepEqual(out, { items: [1, 2], name: 'x', l: [2, 4], m: { k: 'x!', n: 1 }, b: 'aGk=', t: '2024-01-01T00:00:00.000Z', d: '3600s', u: 5, s: '2', z: null });
    assert.deepEqual(run(setRule([['next', cel('ns + 1')]]), '{"ns":1709469296789123456}'), ['{"ns":1709469296789123456,"next":1709469296789123457}']);
  });

  test('evaluation errors are EtlErrors naming the step, the rule and (in a multi-record message) the record', () => {
    const e = etlError(setRule([['f', cel('temp * 1.8')]]), '{"other":1}');
    assert.equal(e.step, 'ops_rule_list[0] (Set)');
    assert.match(e.message, /^ops_rule_list\[0\] \(Set\): rules\[0\] \(f\): CEL: Unknown variable: temp/);
    const multi = etlRule('JsonArray', [{ Set: { rules: [{ target_field: 'f', value: cel('10 / n') }] } }], 'JsonObject');
    assert.match(etlError(multi, '[{"n":1},{"n":0}]').message, /^ops_rule_list\[0\] \(Set\): record 1: rules\[0\] \(f\): CEL: division by zero/);
    assert.match(etlError(setRule([['f', cel('1.0 / x')]]), '{"x":0.5e-400}').message, /Infinity, which JSON cannot hold/);
    assert.match(etlError(setRule([['f', cel('type(1)')]]), '{}').message, /cannot hold/);
    assert.match(etlError(setRule([['f', cel('9223372036854775807 + n')]]), '{"n":1}').message, /integer overflow/);
  });

  test('expressions are checked at create time', () => {
    const errs = (expr: string) => etlRuleErrors(setRule([['f', cel(expr)]]));
    assert.match(errs('1 +')[0]?.rule ?? '', /^does not compile: Unexpected token: EOF \(at character 4\)$/);
    assert.equal(errs('1 +')[0]?.path, 'transform.etl_rule.ops_rule_list[0].Set.rules[0].value.expr');
    assert.match(errs('nope(1)')[0]?.rule ?? '', /does not compile: .*nope/);
    assert.match(errs('"a" + 1')[0]?.rule ?? '', /does not compile: no such overload/);
    assert.match(errs(Array(1500).fill('1').join('+'))[0]?.rule ?? '', /does not compile: .*(AST|nodes)/i);
    assert.match(errs('s.matches("(a)\\\\1")')[0]?.rule ?? '', /pattern .* is refused: .*linear time/);
    assert.deepEqual(errs('s.matches("^[a-z]+$")'), []);
  });
});

describe('CEL evaluation bounds (hostile expressions and input)', () => {
  const quick = (f: () => void): number => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };

  test(`nested comprehensions stop at ${ETL_LIMITS.maxCelStepsPerMessage} steps instead of running for hours`, () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const ms = quick(() => {
      const e = etlError(setRule([['x', cel('items.map(a, items.map(b, items.map(c, a + b + c))).size()')]]), JSON.stringify({ items }));
      // whichever bound comes first on this machine: the steps, or the time on a loaded one
      assert.match(e.message, new RegExp(`rules\\[0\\] \\(x\\): (more than ${ETL_LIMITS.maxCelStepsPerMessage} CEL evaluation steps|CEL ran longer than ${ETL_LIMITS.maxCelMillisPerMessage} ms) for one message`));
    });
    assert.ok(ms < 5000, `took ${ms} ms`);
  });

  test('the budget is per message: records that pass one by one fail together', () => {
    const items = Array.from({ length: 50_000 }, (_, i) => i);
    const r = etlRule('JsonArray', [{ Set: { rules: [{ target_field: 'ok', value: cel('items.all(x, x >= 0)') }] } }], 'JsonObject');
    assert.equal(run(r, JSON.stringify([{ items }])).length, 1);
    const e = etlError(r, JSON.stringify(Array(16).fill({ items })));
    assert.match(e.message, /record ([1-9]|1[0-5]): rules\[0\] \(ok\): (more than \d+ CEL evaluation steps|CEL ran longer than \d+ ms) for one message/);
  });

  test(`a string built by + is capped at ${ETL_LIMITS.maxCelStringLength} characters, a list at ${ETL_LIMITS.maxCelListLength} elements`, () => {
    // nested binds: v0 = s + s, v1 = v0 + v0, …, then size(v11)
    let expr = 'size(v11)';
    for (let i = 11; i >= 0; i--) expr = `cel.bind(v${i}, ${i === 0 ? 's + s' : `v${i - 1} + v${i - 1}`}, ${expr})`;
    assert.match(etlError(setRule([['x', cel(expr)]]), JSON.stringify({ s: 'a'.repeat(1000) })).message, /a CEL string grew past 1048576 characters/);
    let listExpr = 'size(w9)';
    for (let i = 9; i >= 0; i--) listExpr = `cel.bind(w${i}, ${i === 0 ? 'l + l' : `w${i - 1} + w${i - 1}`}, ${listExpr})`;
    assert.match(etlError(setRule([['x', cel(listExpr)]]), JSON.stringify({ l: Array(1000).fill(1) })).message, /a CEL list grew past 100000 elements/);
  });

  test('matches() runs in linear time: a catastrophic pattern on a long input returns at once; a pattern from data that needs backtracking is an EtlError', () => {
    const s = `${'a'.repeat(50_000)}!`;
    const ms = quick(() => assert.deepEqual(setOne([['m', cel('s.matches("^(a+)+$")')], ['g', cel('s.matches("(a|aa)*$")')]], { s }), { s, m: false, g: true }));
    assert.ok(ms < 3000, `took ${ms} ms`);
    assert.match(etlError(setRule([['m', cel('s.matches(p)')]]), JSON.stringify({ s: 'aa', p: '(a)\\1' })).message, /rules\[0\] \(m\): CEL: .*linear time/);
    assert.match(etlError(setRule([['m', cel('s.matches(p)')]]), JSON.stringify({ s: 'aa', p: 1 })).message, /matches\(\) needs a string/);
  });
});
