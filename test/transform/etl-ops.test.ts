// Extract, Rename, KeepOnly and Delete (src/transform/etl/ops.ts, path.ts): RobustMQ's semantics,
// with mapping order defined and a missing Extract path left out (RobustMQ writes "-").
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { etlRule, run } from './etl-helpers.js';

const one = (ops: unknown[], payload: unknown): string => {
  const out = run(etlRule('JsonObject', ops, 'JsonObject'), JSON.stringify(payload));
  assert.equal(out.length, 1);
  return out[0] ?? '';
};

describe('Extract', () => {
  const source = { session: { mqtt: { topic: 't/1' } }, payload: { alarms: [{ active: true }, { active: false }], 'a/b': 1, 'm~n': 2, 'dot.key': 3 }, ts: 5 };

  test('dotted paths and JSON Pointers; the output has only the extracted fields, in mapping order', () => {
    const ops = [{ Extract: { field_mapping: { '/payload/alarms/1/active': 'second', 'session.mqtt.topic': 'topic', 'payload.alarms.0.active': 'first' } } }];
    assert.equal(one(ops, source), '{"second":false,"topic":"t/1","first":true}');
  });

  test('a missing path leaves its field out (RobustMQ writes "-")', () => {
    const ops = [{ Extract: { field_mapping: { 'not.exists.path': 'missing', ts: 'ts', 'payload.alarms.7.active': 'x', 'ts.deeper': 'y', 'payload.alarms.01.active': 'z' } } }];
    assert.equal(one(ops, source), '{"ts":5}');
  });

  test('pointer escapes (~1 = /, ~0 = ~); a key with a dot needs a pointer; whole subtrees can be extracted', () => {
    const ops = [{ Extract: { field_mapping: { '/payload/a~1b': 'slash', '/payload/m~0n': 'tilde', '/payload/dot.key': 'dot', session: 'session' } } }];
    assert.equal(one(ops, source), '{"slash":1,"tilde":2,"dot":3,"session":{"mqtt":{"topic":"t/1"}}}');
  });

  test('two sources for one target: a later entry wins when present, so it works as a fallback', () => {
    const ops = [{ Extract: { field_mapping: { 'a.x': 'v', 'b.x': 'v' } } }];
    assert.equal(one(ops, { a: { x: 1 }, b: { x: 2 } }), '{"v":2}');
    assert.equal(one(ops, { a: { x: 1 } }), '{"v":1}');
  });

  test('an empty mapping keeps the record (RobustMQ)', () => {
    assert.equal(one([{ Extract: { field_mapping: {} } }], { a: 1 }), '{"a":1}');
  });
});

describe('Rename', () => {
  test('renames in place, keeping the position; a missing source is skipped; same name is a no-op', () => {
    const ops = [{ Rename: { field_mapping: { old_a: 'new_a', old_b: 'new_b', not_exists: 'unused', keep: 'keep' } } }];
    assert.equal(one(ops, { old_a: 'A', keep: true, old_b: 1 }), '{"new_a":"A","keep":true,"new_b":1}');
  });

  test('entries apply in mapping order, so chains are defined', () => {
    assert.equal(one([{ Rename: { field_mapping: { a: 'b', b: 'c' } } }], { a: 1, b: 2 }), '{"c":1}');
    assert.equal(one([{ Rename: { field_mapping: { b: 'c', a: 'b' } } }], { a: 1, b: 2 }), '{"b":1,"c":2}');
  });

  test('renaming onto an existing field replaces it', () => {
    assert.equal(one([{ Rename: { field_mapping: { x: 'y' } } }], { y: 0, x: 1, z: 2 }), '{"y":1,"z":2}');
  });

  test('integer-like keys keep their order too (a plain object would move them first)', () => {
    assert.equal(one([{ Rename: { field_mapping: { b: '2' } } }], { a: 1, b: 2, c: 3 }), '{"a":1,"2":2,"c":3}');
  });
});

describe('KeepOnly and Delete', () => {
  test('KeepOnly keeps the listed fields in list order, ignoring absent ones; an empty list keeps the record (RobustMQ)', () => {
    assert.equal(one([{ KeepOnly: { keys: ['c', 'a', 'not_exists'] } }], { a: 'A', b: 2, c: true }), '{"c":true,"a":"A"}');
    assert.equal(one([{ KeepOnly: { keys: [] } }], { a: 1 }), '{"a":1}');
  });

  test('Delete removes the listed fields, ignoring absent ones', () => {
    assert.equal(one([{ Delete: { keys: ['a', 'c', 'not_exists'] } }], { a: 'A', b: 2, c: true }), '{"b":2}');
    assert.equal(one([{ Delete: { keys: ['zz'] } }], { a: 1 }), '{"a":1}');
  });

  test('operations run in list order and see each other\'s output; records are never shared between steps', () => {
    const ops = [{ Rename: { field_mapping: { a: 'b' } } }, { KeepOnly: { keys: ['b'] } }, { Delete: { keys: ['b'] } }];
    assert.equal(one(ops, { a: 1, c: 2 }), '{}');
    const outputs = run(etlRule('JsonArray', [{ Delete: { keys: ['x'] } }], 'JsonObject'), '[{"x":1,"y":1},{"y":2}]');
    assert.deepEqual(outputs, ['{"y":1}', '{"y":2}']);
  });
});
