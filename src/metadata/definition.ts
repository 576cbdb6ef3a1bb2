// A connector definition: one topic filter bound to one sink type + config + failure strategy.
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { type FieldError, SluiceError, validationError } from '../errors.js';
import type { ConnectorType } from './connector-type.js';
import { checkConfig, dropNulls, parseConfigInput } from './config-validation.js';
import { DeliverySchema, type Delivery } from './delivery.js';
import { inFlightOf } from './in-flight.js';
import { type FailureStrategy, parseFailureStrategy } from './failure-strategy.js';
import { parseConnectorType } from './registry.js';
import { schemaErrors } from './schema-errors.js';
import { keepStoredSecrets, referenceErrors } from './secrets.js';
import { topicFilterError } from './topic.js';
import { parseTransform, type Transform } from './transform.js';

// `.` and `..` are refused: clients normalise them away in URL paths, so such a connector could not be addressed
export const NAME_PATTERN = '^(?!\\.{1,2}$)[A-Za-z0-9_.-]+$';
export const NAME_MAX_LENGTH = 128;
export const NameSchema = Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH, pattern: NAME_PATTERN, 'x-rule': 'expected 1–128 of A-Z a-z 0-9 _ . -, not . or ..' });
export const TenantSchema = Type.String({ minLength: 1, maxLength: 256, pattern: NAME_PATTERN, 'x-rule': 'expected 1–256 of A-Z a-z 0-9 _ . -, not . or ..', default: 'default' });
export const DesiredStateSchema = Type.Enum(['running', 'paused'], { default: 'running' });
export type DesiredState = Static<typeof DesiredStateSchema>;

export interface ConnectorDefinition {
  tenant: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
  topic_filter: string;
  failure_strategy: FailureStrategy;
  delivery: Delivery;
  /** what happens to each record before the sink; absent: records go as received */
  transform?: Transform;
  desired_state: DesiredState;
  description: string;
  created_at: string;
  updated_at: string;
  revision: number;
}

/** What a caller may give when creating or replacing a connector; everything is checked. */
export interface DefinitionInput {
  tenant?: unknown;
  name?: unknown;
  type?: unknown;
  config?: unknown;
  topic_filter?: unknown;
  failure_strategy?: unknown;
  delivery?: unknown;
  transform?: unknown;
  desired_state?: unknown;
  description?: unknown;
}

/** The validated content of a definition, before the store stamps times and revision. */
export type DefinitionContent = Omit<ConnectorDefinition, 'created_at' | 'updated_at' | 'revision'>;

function checkString(schema: typeof NameSchema, value: unknown, path: string, errors: FieldError[]): string {
  const e = schemaErrors(schema, value, path);
  errors.push(...e);
  return typeof value === 'string' ? value : '';
}

/**
 * Checks every field of `input` at once and returns the complete content, or throws a
 * VALIDATION_FAILED error naming each field and rule. `stored` lets `******` keep secrets.
 */
export function buildDefinition(input: DefinitionInput, stored?: ConnectorDefinition): DefinitionContent {
  const errors: FieldError[] = [];
  const tenant = checkString(TenantSchema, input.tenant ?? 'default', 'tenant', errors);
  const name = checkString(NameSchema, input.name, 'name', errors);

  let type: ConnectorType | undefined;
  try {
    type = parseConnectorType(input.type, 'type');
  } catch (e) {
    errors.push(...(e as SluiceError).fields);
  }

  let topicFilter = '';
  if (typeof input.topic_filter !== 'string') errors.push({ path: 'topic_filter', rule: input.topic_filter === undefined ? 'is required' : 'must be a string' });
  else {
    const rule = topicFilterError(input.topic_filter);
    if (rule) errors.push({ path: 'topic_filter', rule });
    topicFilter = input.topic_filter;
  }

  const fs = parseFailureStrategy(input.failure_strategy);
  errors.push(...fs.errors);

  const deliveryInput = input.delivery ?? {};
  const delivery = Value.Default(DeliverySchema, structuredClone(deliveryInput)) as Delivery;
  errors.push(...schemaErrors(DeliverySchema, delivery, 'delivery'));
  if (type && typeof delivery.max_in_flight === 'number') {
    const limit = inFlightOf(type).max;
    if (delivery.max_in_flight > limit) errors.push({ path: 'delivery.max_in_flight', rule: `must be at most ${limit} for type ${type.name}${type.inFlight?.why ? ` (${type.inFlight.why})` : ''}` });
  }

  const transform = parseTransform(input.transform);
  errors.push(...transform.errors);

  const desired = input.desired_state ?? 'running';
  errors.push(...schemaErrors(DesiredStateSchema, desired, 'desired_state'));

  const description = input.description ?? '';
  if (typeof description !== 'string' || description.length > 1024) errors.push({ path: 'description', rule: 'must be a string of at most 1024 characters' });

  let config: Record<string, unknown> | undefined;
  const parsed = parseConfigInput(input.config);
  errors.push(...parsed.errors);
  if (parsed.value && type) {
    const sameType = stored && stored.type === type.name ? stored.config : undefined;
    let merged: Record<string, unknown> | undefined;
    try {
      // a required field given as null is reported by checkConfig as missing
      merged = keepStoredSecrets(type.schema, dropNulls(type.schema, parsed.value).value, sameType);
    } catch (e) {
      if (!(e instanceof SluiceError)) throw e;
      errors.push(...e.fields);
    }
    if (merged) {
      const checked = checkConfig(type, merged);
      errors.push(...checked.errors, ...referenceErrors(type.schema, merged));
      config = checked.config;
    }
  }

  if (errors.length > 0 || !config || !fs.value || !type) {
    // a `config` string that is not JSON is INVALID_JSON (src/errors.ts); every broken rule is still listed
    const e = validationError(errors);
    throw parsed.invalidJson ? new SluiceError('INVALID_JSON', e.message, e.fields) : e;
  }
  return {
    tenant,
    name,
    type: type.name,
    config,
    topic_filter: topicFilter,
    failure_strategy: fs.value,
    delivery,
    ...(transform.value ? { transform: transform.value } : {}),
    desired_state: desired as DesiredState,
    description: description as string,
  };
}
