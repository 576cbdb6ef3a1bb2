// The failure strategy: RobustMQ field names and defaults, validated strictly (src/metadata/failure-strategy.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_FAILURE_STRATEGY, parseFailureStrategy } from '../../src/metadata/failure-strategy.js';

const ALLOWED = 'discard, discard_after_retry, dead_message_queue';

function errorsOf(input: unknown) {
  const r = parseFailureStrategy(input);
  assert.equal(r.value, undefined, `expected ${JSON.stringify(input)} to be refused`);
  return r.errors;
}

function valueOf(input: unknown) {
  const r = parseFailureStrategy(input);
  assert.deepEqual(r.errors, [], `expected ${JSON.stringify(input)} to pass`);
  assert.ok(r.value);
  return r.value;
}

describe('failure strategy', () => {
  test('absent or null: the default (dead_message_queue: nothing is lost) with every default filled in', () => {
    assert.deepEqual(valueOf(undefined), DEFAULT_FAILURE_STRATEGY);
    assert.deepEqual(valueOf(null), DEFAULT_FAILURE_STRATEGY);
    assert.deepEqual(DEFAULT_FAILURE_STRATEGY, { strategy: 'dead_message_queue', retry_total_times: 3, wait_time_ms: 1000, topic_name: 'dead_letter_queue', backoff: 'fixed', max_wait_ms: 60_000 });
  });

  test('each of the three strategies passes; given fields kept, missing ones defaulted', () => {
    assert.deepEqual(valueOf({ strategy: 'discard' }), { ...DEFAULT_FAILURE_STRATEGY, strategy: 'discard' });
    assert.deepEqual(valueOf({ strategy: 'discard_after_retry', retry_total_times: 7 }), { ...DEFAULT_FAILURE_STRATEGY, strategy: 'discard_after_retry', retry_total_times: 7 });
    assert.deepEqual(valueOf({ strategy: 'dead_message_queue', topic_name: 'dlq/x', wait_time_ms: 250 }), { ...DEFAULT_FAILURE_STRATEGY, strategy: 'dead_message_queue', topic_name: 'dlq/x', wait_time_ms: 250 });
  });

  test('RobustMQ sends null for unused fields: null means "not given"', () => {
    assert.deepEqual(valueOf({ strategy: 'discard', retry_total_times: null, wait_time_ms: null, topic_name: null }), { ...DEFAULT_FAILURE_STRATEGY, strategy: 'discard' });
  });

  test('unknown strategy is an error naming the allowed values', () => {
    assert.deepEqual(errorsOf({ strategy: 'retry_forever' }), [{ path: 'failure_strategy.strategy', rule: `must be one of: ${ALLOWED}` }]);
    assert.deepEqual(errorsOf({ strategy: 'DISCARD' }), [{ path: 'failure_strategy.strategy', rule: `must be one of: ${ALLOWED}` }]);
  });

  test('a strategy object without strategy names the field and the allowed values', () => {
    assert.deepEqual(errorsOf({ retry_total_times: 3 }), [{ path: 'failure_strategy.strategy', rule: `is required: one of ${ALLOWED}` }]);
    assert.deepEqual(errorsOf({}), [{ path: 'failure_strategy.strategy', rule: `is required: one of ${ALLOWED}` }]);
  });

  test('retry_total_times is 1–1000', () => {
    assert.equal(valueOf({ strategy: 'discard_after_retry', retry_total_times: 1 }).retry_total_times, 1);
    assert.equal(valueOf({ strategy: 'discard_after_retry', retry_total_times: 1000 }).retry_total_times, 1000);
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', retry_total_times: 0 }), [{ path: 'failure_strategy.retry_total_times', rule: 'must be ≥ 1' }]);
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', retry_total_times: 1001 }), [{ path: 'failure_strategy.retry_total_times', rule: 'must be ≤ 1000' }]);
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', retry_total_times: -5 }), [{ path: 'failure_strategy.retry_total_times', rule: 'must be ≥ 1' }]);
  });

  test('wait_time_ms is 1–3,600,000', () => {
    assert.equal(valueOf({ strategy: 'discard_after_retry', wait_time_ms: 1 }).wait_time_ms, 1);
    assert.equal(valueOf({ strategy: 'discard_after_retry', wait_time_ms: 3_600_000 }).wait_time_ms, 3_600_000);
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', wait_time_ms: 0 }), [{ path: 'failure_strategy.wait_time_ms', rule: 'must be ≥ 1' }]);
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', wait_time_ms: 3_600_001 }), [{ path: 'failure_strategy.wait_time_ms', rule: 'must be ≤ 3600000' }]);
  });

  test('max_wait_ms is 1–3,600,000 and, with exponential backoff, ≥ wait_time_ms', () => {
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', max_wait_ms: 0 }), [{ path: 'failure_strategy.max_wait_ms', rule: 'must be ≥ 1' }]);
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', backoff: 'exponential', wait_time_ms: 5000, max_wait_ms: 4999 }), [{ path: 'failure_strategy.max_wait_ms', rule: 'must be ≥ wait_time_ms' }]);
    assert.equal(valueOf({ strategy: 'discard_after_retry', backoff: 'exponential', wait_time_ms: 5000, max_wait_ms: 5000 }).backoff, 'exponential');
    // with fixed backoff the cap does not apply
    assert.equal(valueOf({ strategy: 'discard_after_retry', backoff: 'fixed', wait_time_ms: 5000, max_wait_ms: 10 }).max_wait_ms, 10);
  });

  test('backoff is an enum', () => {
    assert.deepEqual(errorsOf({ strategy: 'discard', backoff: 'linear' }), [{ path: 'failure_strategy.backoff', rule: 'must be one of: fixed, exponential' }]);
  });

  test('wrong types are refused with the field named', () => {
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', retry_total_times: '3' }), [{ path: 'failure_strategy.retry_total_times', rule: 'must be an integer' }]);
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', wait_time_ms: 1.5 }), [{ path: 'failure_strategy.wait_time_ms', rule: 'must be an integer' }]);
    assert.deepEqual(errorsOf({ strategy: 'discard_after_retry', retry_total_times: [3] }), [{ path: 'failure_strategy.retry_total_times', rule: 'must be an integer' }]);
    assert.deepEqual(errorsOf({ strategy: 5 }), [{ path: 'failure_strategy.strategy', rule: `must be one of: ${ALLOWED}` }]);
    assert.deepEqual(errorsOf({ strategy: 'dead_message_queue', topic_name: 7 }), [{ path: 'failure_strategy.topic_name', rule: 'must be a string' }]);
  });

  test('not an object: refused', () => {
    for (const v of ['discard', 3, true, ['discard']]) assert.deepEqual(errorsOf(v), [{ path: 'failure_strategy', rule: 'must be an object' }]);
  });

  test('unknown fields are refused by name', () => {
    assert.deepEqual(errorsOf({ strategy: 'discard', retries: 3 }), [{ path: 'failure_strategy.retries', rule: 'is not a known field' }]);
  });

  test('several broken rules are all reported at once', () => {
    const errors = errorsOf({ strategy: 'discard_after_retry', retry_total_times: 0, wait_time_ms: 0 });
    assert.deepEqual(
      errors.map((e) => e.path).sort(),
      ['failure_strategy.retry_total_times', 'failure_strategy.wait_time_ms'],
    );
  });

  test('the prefix is configurable', () => {
    assert.deepEqual(parseFailureStrategy({ strategy: 'x' }, 'fs').errors, [{ path: 'fs.strategy', rule: `must be one of: ${ALLOWED}` }]);
  });
});
