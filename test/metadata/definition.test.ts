// buildDefinition: the whole definition checked at once, with hostile input (src/metadata/definition.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FieldError, SluiceError } from '../../src/errors.js';
import { buildDefinition, type DefinitionInput } from '../../src/metadata/definition.js';
import { DEFAULT_FAILURE_STRATEGY } from '../../src/metadata/failure-strategy.js';
import { NO_SUCH_TYPE, typeNames } from '../helpers/type-fixtures.js';

const GOOD: DefinitionInput = { name: 'c1', type: 'file', topic_filter: 'sensors/#', config: { local_file_path: '/tmp/out.jsonl' } };
const NAME_RULE = 'expected 1–128 of A-Z a-z 0-9 _ . -, not . or ..';
const TENANT_RULE = 'expected 1–256 of A-Z a-z 0-9 _ . -, not . or ..';

function refused(input: DefinitionInput, code = 'VALIDATION_FAILED'): FieldError[] {
  try {
    buildDefinition(input);
  } catch (e) {
    assert.ok(e instanceof SluiceError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.status, 400);
    return e.fields;
  }
  assert.fail(`expected ${JSON.stringify(input).slice(0, 200)} to be refused`);
}

describe('buildDefinition', () => {
  test('a minimal definition gets every default', () => {
    const d = buildDefinition(GOOD);
    assert.equal(d.tenant, 'default');
    assert.equal(d.name, 'c1');
    assert.equal(d.type, 'file');
    assert.equal(d.topic_filter, 'sensors/#');
    assert.deepEqual(d.failure_strategy, DEFAULT_FAILURE_STRATEGY);
    assert.deepEqual(d.delivery, { batch_size: 100, linger_ms: 10, max_journal_bytes: 1_073_741_824, on_journal_full: 'backpressure', qos: 1 });
    assert.equal(d.desired_state, 'running');
    assert.equal(d.description, '');
    assert.deepEqual(d.config, { local_file_path: '/tmp/out.jsonl', format: 'json_lines', rotation_strategy: 'none', max_size_gb: 1, fsync: false });
  });

  test('the type is stored lower-case whatever the case given', () => {
    assert.equal(buildDefinition({ ...GOOD, type: 'FiLe' }).type, 'file');
  });

  test('names: the allowed alphabet passes, 128 characters is the limit', () => {
    assert.equal(buildDefinition({ ...GOOD, name: 'A-z_0.9' }).name, 'A-z_0.9');
    assert.equal(buildDefinition({ ...GOOD, name: '...' }).name, '...');
    assert.equal(buildDefinition({ ...GOOD, name: '.hidden' }).name, '.hidden');
    assert.equal(buildDefinition({ ...GOOD, name: 'n'.repeat(128) }).name.length, 128);
    assert.deepEqual(refused({ ...GOOD, name: 'n'.repeat(129) }), [{ path: 'name', rule: 'must be at most 128 characters' }]);
  });

  test('SQL-looking, path-looking, NUL, blank and non-ASCII names are refused by the name rule', () => {
    for (const name of ["x'; DROP TABLE connectors;--", '../../etc/passwd', '.', '..', 'a/b', 'a\u0000b', '\u0000', ' ', 'a b', 'naïve', '😀', 'a\nb', '%', '*']) {
      assert.deepEqual(refused({ ...GOOD, name }), [{ path: 'name', rule: NAME_RULE }], JSON.stringify(name));
    }
    assert.deepEqual(refused({ ...GOOD, name: '' }), [{ path: 'name', rule: 'must not be empty' }, { path: 'name', rule: NAME_RULE }]);
  });

  test('a 1 MB name and a 1 MB topic are refused, each by its own rule', () => {
    assert.deepEqual(refused({ ...GOOD, name: 'x'.repeat(1_048_576), topic_filter: 't'.repeat(1_048_576) }), [
      { path: 'name', rule: 'must be at most 128 characters' },
      { path: 'topic_filter', rule: 'must be at most 65535 bytes of UTF-8' },
    ]);
  });

  test('tenants follow the same alphabet', () => {
    assert.equal(buildDefinition({ ...GOOD, tenant: 'acme.prod' }).tenant, 'acme.prod');
    assert.deepEqual(refused({ ...GOOD, tenant: "t'--" }), [{ path: 'tenant', rule: TENANT_RULE }]);
    assert.deepEqual(refused({ ...GOOD, tenant: '../x' }), [{ path: 'tenant', rule: TENANT_RULE }]);
    assert.deepEqual(refused({ ...GOOD, tenant: '' }), [{ path: 'tenant', rule: 'must not be empty' }, { path: 'tenant', rule: TENANT_RULE }]);
  });

  test('wrong types for the top-level fields', () => {
    assert.deepEqual(refused({ ...GOOD, name: 5 }), [{ path: 'name', rule: 'must be a string' }]);
    assert.deepEqual(refused({ ...GOOD, name: ['c1'] }), [{ path: 'name', rule: 'must be a string' }]);
    assert.deepEqual(refused({ ...GOOD, name: null }), [{ path: 'name', rule: 'must be a string' }]);
    assert.deepEqual(refused({ ...GOOD, tenant: 7 }), [{ path: 'tenant', rule: 'must be a string' }]);
    assert.deepEqual(refused({ ...GOOD, topic_filter: ['a'] }), [{ path: 'topic_filter', rule: 'must be a string' }]);
    assert.deepEqual(refused({ ...GOOD, desired_state: 'stopped' }), [{ path: 'desired_state', rule: 'must be one of: running, paused' }]);
    assert.deepEqual(refused({ ...GOOD, description: 42 }), [{ path: 'description', rule: 'must be a string of at most 1024 characters' }]);
    assert.deepEqual(refused({ ...GOOD, description: 'd'.repeat(1025) }), [{ path: 'description', rule: 'must be a string of at most 1024 characters' }]);
    // documented (docs/en/admin-api.md): an unknown type in a create body is one of the VALIDATION_FAILED fields
    assert.deepEqual(refused({ ...GOOD, type: NO_SUCH_TYPE }), [{ path: 'type', rule: `unknown connector type "${NO_SUCH_TYPE}"; known types: ${typeNames().join(', ')}` }]);
  });

  test('delivery: ranges, enums, unknown fields', () => {
    const d = buildDefinition({ ...GOOD, delivery: { batch_size: 10_000, linger_ms: 0, qos: 2, on_journal_full: 'drop_oldest' } });
    assert.equal(d.delivery.batch_size, 10_000);
    assert.equal(d.delivery.on_journal_full, 'drop_oldest');
    assert.deepEqual(refused({ ...GOOD, delivery: { batch_size: 0 } }), [{ path: 'delivery.batch_size', rule: 'must be ≥ 1' }]);
    assert.deepEqual(refused({ ...GOOD, delivery: { batch_size: 10_001 } }), [{ path: 'delivery.batch_size', rule: 'must be ≤ 10000' }]);
    assert.deepEqual(refused({ ...GOOD, delivery: { max_journal_bytes: 1000 } }), [{ path: 'delivery.max_journal_bytes', rule: 'must be ≥ 1048576' }]);
    assert.deepEqual(refused({ ...GOOD, delivery: { qos: 3 } }), [{ path: 'delivery.qos', rule: 'must be ≤ 2' }]);
    assert.deepEqual(refused({ ...GOOD, delivery: { on_journal_full: 'drop_newest' } }), [{ path: 'delivery.on_journal_full', rule: 'must be one of: backpressure, drop_oldest' }]);
    assert.deepEqual(refused({ ...GOOD, delivery: { batchsize: 5 } }), [{ path: 'delivery.batchsize', rule: 'is not a known field' }]);
  });

  test('config as a JSON string holding an object is accepted', () => {
    assert.equal(buildDefinition({ ...GOOD, config: '{"local_file_path":"/tmp/s.jsonl"}' }).config.local_file_path, '/tmp/s.jsonl');
  });

  test('config as a string that is not JSON: INVALID_JSON naming config, without echoing the text', () => {
    const fields = refused({ ...GOOD, config: 'local_file_path=/tmp/x' }, 'INVALID_JSON');
    assert.equal(fields.length, 1);
    assert.equal(fields[0]?.path, 'config');
    assert.match(fields[0]?.rule ?? '', /^must be a JSON object \(or a string holding one\): /);
    const leaky = refused({ ...GOOD, type: 'webhook', config: '{"url":"http://x","auth_type":"bearer","bearer_token":hunter2-secret}' }, 'INVALID_JSON');
    assert.ok(!JSON.stringify(leaky).includes('hunter2'), JSON.stringify(leaky));
  });

  test('config that is JSON but not an object (array, number, null, string) is refused naming config', () => {
    for (const config of ['[1,2]', '[{"local_file_path":"/x"}]', '42', 'null', '"x"', [1, 2], null, 42, true]) {
      assert.deepEqual(refused({ ...GOOD, config }).filter((f) => f.path === 'config').length, 1, JSON.stringify(config));
    }
    assert.deepEqual(refused({ ...GOOD, config: '[1,2]' }), [{ path: 'config', rule: 'must be a JSON object' }]);
    assert.deepEqual(refused({ ...GOOD, config: undefined }), [{ path: 'config', rule: 'must be a JSON object' }]);
  });

  test('every broken field is reported at once', () => {
    const fields = refused({ tenant: '!', name: '', type: 'nope', topic_filter: 'a/#/b', config: { local_file_path: '' }, failure_strategy: { strategy: 'x' }, delivery: { qos: 9 } });
    assert.deepEqual([...new Set(fields.map((f) => f.path))], ['tenant', 'name', 'type', 'topic_filter', 'failure_strategy.strategy', 'delivery.qos']);
    // config is checked only when the type is known
    const withType = refused({ name: 'ok', type: 'file', topic_filter: '', config: { local_file_path: '' } });
    assert.deepEqual(withType, [{ path: 'topic_filter', rule: 'must not be empty' }, { path: 'config.local_file_path', rule: 'must not be empty' }]);
  });

  test('the error message lists every path: rule pair', () => {
    try {
      buildDefinition({ ...GOOD, name: 'a b', topic_filter: '' });
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof SluiceError);
      assert.equal(e.message, `name: ${NAME_RULE}; topic_filter: must not be empty`);
    }
  });

  test('the input objects are not mutated (defaults are applied to copies)', () => {
    const config = { local_file_path: '/tmp/x' };
    const delivery = { batch_size: 5 };
    const input = { ...GOOD, config, delivery };
    buildDefinition(input);
    assert.deepEqual(config, { local_file_path: '/tmp/x' });
    assert.deepEqual(delivery, { batch_size: 5 });
  });
});

describe('delivery.max_in_flight', () => {
  test('a type that keeps order refuses more than one batch in flight, naming the field, the limit and why', () => {
    const fields = refused({ ...GOOD, delivery: { max_in_flight: 2 } });
    assert.deepEqual(fields, [{ path: 'delivery.max_in_flight', rule: 'must be at most 1 for type file (a file keeps its lines in the order they were written)' }]);
    assert.equal(buildDefinition({ ...GOOD, delivery: { max_in_flight: 1 } }).delivery.max_in_flight, 1);
  });

  test('a type that takes concurrent batches: up to its max; unset stays unset (the type default applies)', () => {
    const kafka: DefinitionInput = { name: 'k', type: 'kafka', topic_filter: 'a/#', config: { bootstrap_servers: '127.0.0.1:9092', topic: 't' } };
    assert.equal(buildDefinition({ ...kafka, delivery: { max_in_flight: 16 } }).delivery.max_in_flight, 16);
    assert.equal(buildDefinition(kafka).delivery.max_in_flight, undefined);
    assert.deepEqual(refused({ ...kafka, delivery: { max_in_flight: 17 } }), [{ path: 'delivery.max_in_flight', rule: 'must be at most 16 for type kafka' }]);
    assert.ok(refused({ ...kafka, delivery: { max_in_flight: 0 } }).some((f) => f.path === 'delivery.max_in_flight'));
  });
});
