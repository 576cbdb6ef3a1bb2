// The failure strategy of a connector: RobustMQ's field names and defaults, validated strictly.
import Type, { type Static } from 'typebox';
import type { FieldError } from '../errors.js';
import { schemaErrors } from './schema-errors.js';
import { topicNameError } from './topic.js';

export const FAILURE_STRATEGIES = ['discard', 'discard_after_retry', 'dead_message_queue'] as const;
export type FailureStrategyName = (typeof FAILURE_STRATEGIES)[number];

export const FailureStrategySchema = Type.Object(
  {
    strategy: Type.Enum([...FAILURE_STRATEGIES], { default: 'dead_message_queue', description: 'What to do with a record the sink could not write. Without a failure_strategy a connector keeps such records as dead letters (dead_message_queue); an unavailable target never counts as a failure: delivery waits.' }),
    retry_total_times: Type.Integer({ minimum: 1, maximum: 1000, default: 3, description: 'Retries after the first attempt (discard_after_retry, dead_message_queue).' }),
    wait_time_ms: Type.Integer({ minimum: 1, maximum: 3_600_000, default: 1000, description: 'Wait before each retry, in ms (the first wait with exponential backoff).' }),
    topic_name: Type.String({ minLength: 1, maxLength: 65535, default: 'dead_letter_queue', description: 'MQTT topic that dead letters are published to (dead_message_queue). No wildcards.' }),
    backoff: Type.Enum(['fixed', 'exponential'], { default: 'fixed', description: 'fixed: wait wait_time_ms each time; exponential: double it each retry, with jitter, up to max_wait_ms.' }),
    max_wait_ms: Type.Integer({ minimum: 1, maximum: 3_600_000, default: 60_000, description: 'Cap on one retry wait with exponential backoff, in ms.' }),
  },
  { additionalProperties: false },
);

export type FailureStrategy = Static<typeof FailureStrategySchema>;

/** A definition without a failure strategy loses nothing: a record that fails is kept as a dead letter. */
export const DEFAULT_FAILURE_STRATEGY: FailureStrategy = {
  strategy: 'dead_message_queue',
  retry_total_times: 3,
  wait_time_ms: 1000,
  topic_name: 'dead_letter_queue',
  backoff: 'fixed',
  max_wait_ms: 60_000,
};

/**
 * Checks and completes a failure strategy. RobustMQ clients send `null` for unused fields;
 * null is taken as "not given" and the default applies.
 */
export function parseFailureStrategy(input: unknown, prefix = 'failure_strategy'): { value?: FailureStrategy; errors: FieldError[] } {
  if (input === undefined || input === null) return { value: { ...DEFAULT_FAILURE_STRATEGY }, errors: [] };
  if (typeof input !== 'object' || Array.isArray(input)) return { errors: [{ path: prefix, rule: 'must be an object' }] };
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) if (v !== null && v !== undefined) given[k] = v;
  if (given.strategy === undefined) return { errors: [{ path: `${prefix}.strategy`, rule: `is required: one of ${FAILURE_STRATEGIES.join(', ')}` }] };
  const candidate = { ...DEFAULT_FAILURE_STRATEGY, ...given };
  const errors = schemaErrors(FailureStrategySchema, candidate, prefix);
  if (errors.length === 0) {
    const topicRule = topicNameError(candidate.topic_name as string);
    if (topicRule) errors.push({ path: `${prefix}.topic_name`, rule: topicRule });
    if (candidate.backoff === 'exponential' && (candidate.max_wait_ms as number) < (candidate.wait_time_ms as number)) {
      errors.push({ path: `${prefix}.max_wait_ms`, rule: 'must be ≥ wait_time_ms' });
    }
  }
  return errors.length ? { errors } : { value: candidate as FailureStrategy, errors };
}
