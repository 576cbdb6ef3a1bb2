// Client ids: one builder per kind, unambiguous for every tenant/name pair, bounded in length.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadLetterClientId, legacySourceClientId, sourceClientId } from '../../src/mqtt/client-ids.js';
import { parseFilter, topicMatches } from '../../src/mqtt/topic-filter.js';

test('source ids keep a_b/c and a/b_c apart (the legacy form did not)', () => {
  assert.equal(sourceClientId('sluice_', 'a_b', 'c'), 'sluice_a_b:c');
  assert.equal(sourceClientId('sluice_', 'a', 'b_c'), 'sluice_a:b_c');
  assert.equal(legacySourceClientId('sluice_', 'a_b', 'c'), legacySourceClientId('sluice_', 'a', 'b_c'));
  assert.equal(legacySourceClientId('sluice_', 'default', 'crash'), 'sluice_default_crash');
});

test('a long source id is a hash of tenant and name, the same in both forms', () => {
  const id = sourceClientId('sluice_', 'default', 'x'.repeat(80));
  assert.match(id, /^sluice_[0-9a-f]{32}$/);
  assert.equal(id, legacySourceClientId('sluice_', 'default', 'x'.repeat(80)));
  assert.notEqual(id, sourceClientId('sluice_', 'default', 'x'.repeat(81)));
});

test('the dead-letter id cannot be a connector id (no tenant is empty)', () => {
  assert.equal(deadLetterClientId('sluice_', '0123abcd'), 'sluice_dlq/0123abcd');
  assert.doesNotMatch(deadLetterClientId('sluice_', 'x'), /:/);
});

test('topic filters: + and #, $-topics not matched by a leading wildcard, $share groups', () => {
  assert.equal(topicMatches('a/+/c', 'a/b/c'), true);
  assert.equal(topicMatches('a/+/c', 'a/b/d'), false);
  assert.equal(topicMatches('a/#', 'a'), true);
  assert.equal(topicMatches('a/#', 'a/b/c'), true);
  assert.equal(topicMatches('#', '$SYS/x'), false);
  assert.equal(topicMatches('+/x', '$SYS/x'), false);
  assert.equal(topicMatches('a/b', 'a/b/c'), false);
  assert.equal(topicMatches('a/+', 'a/'), true);
  assert.deepEqual(parseFilter('$share/g/a/#'), { group: 'g', filter: 'a/#' });
  assert.deepEqual(parseFilter('a/#'), { filter: 'a/#' });
});
