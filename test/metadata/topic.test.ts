// MQTT topic filter and topic name rules (src/metadata/topic.ts), and where they are applied:
// a connector's topic_filter and the dead-letter topic of its failure strategy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDefinition } from '../../src/metadata/definition.js';
import { parseFailureStrategy } from '../../src/metadata/failure-strategy.js';
import { topicFilterError, topicNameError } from '../../src/metadata/topic.js';
import { SluiceError } from '../../src/errors.js';

const VALID_FILTERS = ['a/+/b', '#', 'a/#', '+', '$share/g/a/#', '/', 'a//b', 'a/b/c', '+/+/#', '$share/group-1/+', '$SYS/broker/#', 'ä/ü/€', '😀/x'];
const INVALID_FILTERS: [string, RegExp][] = [
  ['a/#/b', /# must be a whole level and the last one/],
  ['a+', /\+ must be a whole level/],
  ['a/b#', /# must be a whole level and the last one/],
  ['a/+b/c', /\+ must be a whole level/],
  ['##', /# must be a whole level/],
  ['$share/g', /\$share\/<group>\/<filter>/],
  ['$share/g/', /non-empty filter after \$share/],
  ['$share//a', /\$share\/<group>\/<filter>/],
  ['$share/g+/a', /group free of \+, #/],
  ['$share/#/a', /group free of \+, #/],
  ['$share/g/a/#/b', /# must be a whole level and the last one/],
  ['', /must not be empty/],
  ['a/\u0000/b', /must not contain a NUL character/],
  ['\u0000', /must not contain a NUL character/],
  ['a'.repeat(65536), /must be at most 65535 bytes/],
  // 21846 × 3-byte characters = 65538 bytes but only 21846 UTF-16 units: the limit is in bytes
  ['€'.repeat(21846), /must be at most 65535 bytes/],
  ['a/\uD800/b', /lone surrogates/],
];

describe('topic filters', () => {
  for (const f of VALID_FILTERS) {
    test(`valid: ${JSON.stringify(f)}`, () => {
      assert.equal(topicFilterError(f), undefined);
    });
  }
  for (const [f, rule] of INVALID_FILTERS) {
    test(`invalid: ${JSON.stringify(f.length > 40 ? `${f.slice(0, 20)}…(${f.length})` : f)}`, () => {
      const why = topicFilterError(f);
      assert.ok(why, `expected ${JSON.stringify(f.slice(0, 40))} to be refused`);
      assert.match(why, rule);
    });
  }

  test('exactly 65535 bytes is the largest valid filter', () => {
    assert.equal(topicFilterError('a'.repeat(65535)), undefined);
    assert.equal(topicFilterError(`${'a'.repeat(65533)}/#`), undefined);
    assert.match(topicFilterError(`${'a'.repeat(65534)}/#`) ?? '', /65535 bytes/);
  });

  test('a connector refuses an invalid topic_filter with the field named', () => {
    const base = { name: 'c', type: 'file', config: { local_file_path: '/tmp/x' } };
    assert.equal(buildDefinition({ ...base, topic_filter: '$share/g/a/#' }).topic_filter, '$share/g/a/#');
    for (const [f] of INVALID_FILTERS) {
      assert.throws(
        () => buildDefinition({ ...base, topic_filter: f }),
        (e: unknown) => e instanceof SluiceError && e.code === 'VALIDATION_FAILED' && e.fields.length === 1 && e.fields[0]?.path === 'topic_filter',
      );
    }
    assert.throws(() => buildDefinition({ ...base, topic_filter: 42 }), (e: SluiceError) => e.fields.some((x) => x.path === 'topic_filter' && x.rule === 'must be a string'));
    assert.throws(() => buildDefinition({ ...base }), (e: SluiceError) => e.fields.some((x) => x.path === 'topic_filter' && x.rule === 'is required'));
  });
});

describe('topic names (dead-letter topic)', () => {
  test('plain names are valid', () => {
    for (const t of ['dead_letter_queue', 'dlq/sensors', '/', 'a//b', '$SYS/x']) assert.equal(topicNameError(t), undefined, t);
  });

  test('wildcards, NUL, empty and oversized names are refused', () => {
    assert.match(topicNameError('a/+') ?? '', /must not contain the wildcards \+ or #/);
    assert.match(topicNameError('a/#') ?? '', /must not contain the wildcards/);
    assert.match(topicNameError('a#b') ?? '', /must not contain the wildcards/);
    assert.match(topicNameError('') ?? '', /must not be empty/);
    assert.match(topicNameError('a\u0000b') ?? '', /NUL/);
    assert.match(topicNameError('x'.repeat(65536)) ?? '', /65535 bytes/);
  });

  test('the failure strategy refuses a wildcard DLQ topic, naming failure_strategy.topic_name', () => {
    for (const topic of ['dlq/+', 'dlq/#', '#', '+']) {
      const r = parseFailureStrategy({ strategy: 'dead_message_queue', topic_name: topic });
      assert.equal(r.value, undefined);
      assert.deepEqual(r.errors, [{ path: 'failure_strategy.topic_name', rule: 'must not contain the wildcards + or #' }]);
    }
    const ok = parseFailureStrategy({ strategy: 'dead_message_queue', topic_name: 'dlq/sensors' });
    assert.deepEqual(ok.errors, []);
    assert.equal(ok.value?.topic_name, 'dlq/sensors');
  });

  test('the DLQ topic refuses NUL and empty', () => {
    assert.deepEqual(parseFailureStrategy({ strategy: 'dead_message_queue', topic_name: 'a\u0000' }).errors, [{ path: 'failure_strategy.topic_name', rule: 'must not contain a NUL character' }]);
    assert.deepEqual(parseFailureStrategy({ strategy: 'dead_message_queue', topic_name: '' }).errors, [{ path: 'failure_strategy.topic_name', rule: 'must not be empty' }]);
  });
});
