// TypeBox schemas of the admin API's answers, and the error statuses each kind of route can give:
// the OpenAPI document declares every status a route really answers, each with its body schema.
import Type, { type TSchema } from 'typebox';
import { CONNECTOR_STATES } from '../../core/connector-status.js';
import { ERROR_CODES } from '../../errors.js';
import { DeliverySchema } from '../../metadata/delivery.js';
import { TransformSchema } from '../../metadata/transform.js';
import { FailureStrategySchema } from '../../metadata/failure-strategy.js';

/**
 * Marks a schema as the named component: the OpenAPI document shows `$ref` to
 * `#/components/schemas/<name>` in its place (see openapi.ts), validation still sees the schema.
 */
export function component<T extends TSchema>(name: string, schema: T): T {
  return { ...schema, 'x-component': name };
}

const FieldErrorSchema = Type.Object({ path: Type.String({ description: 'dotted path of the field, e.g. config.port' }), rule: Type.String({ description: 'the rule it broke' }) });

export const ErrorSchema = component(
  'Error',
  Type.Object(
    {
      code: Type.Integer({ description: 'non-zero numeric code (the RobustMQ-compatible envelope)' }),
      error: Type.Enum(Object.keys(ERROR_CODES), { description: 'stable error code' }),
      message: Type.String(),
      fields: Type.Optional(Type.Array(FieldErrorSchema, { description: 'each offending field with its rule' })),
    },
    { additionalProperties: false, description: 'The one error body of every route.' },
  ),
);

export const FailureStrategyRef = component('FailureStrategy', FailureStrategySchema);
export const DeliveryRef = component('Delivery', DeliverySchema);
export const TransformRef = component('Transform', TransformSchema);

const DESCRIPTIONS: Record<number, string> = {
  400: 'the request broke a rule: VALIDATION_FAILED, INVALID_JSON, UNKNOWN_CONNECTOR_TYPE or SECRET_REFERENCE_UNRESOLVED',
  401: 'UNAUTHORIZED: the bearer token is missing or wrong (only when the server has a token)',
  404: 'NOT_FOUND: no such connector, dead letter or route',
  409: 'CONFLICT (exists already, stale revision) or NOT_RUNNING',
  413: 'PAYLOAD_TOO_LARGE: the body is larger than the limit',
  414: 'URI_TOO_LONG: a path segment is longer than any valid name',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json',
  422: 'CONNECTIVITY_FAILED: the probe of the sink failed',
  500: 'INTERNAL: an unexpected failure (the log has the details)',
  503: 'SERVICE_UNAVAILABLE: the store or the runtime is not usable right now',
};

export type ErrorStatus = keyof typeof DESCRIPTIONS & number;

function errorResponse(status: number): TSchema {
  return { ...ErrorSchema, description: DESCRIPTIONS[status] ?? 'error' };
}

/**
 * The error statuses of a route. Every route can answer 401 (with a token set), 404 (no route
 * for a malformed path), 500 and 503; routes with parameters 400, with a path parameter 414,
 * with a body 413 and 415.
 */
export function errorResponses(opts: { params?: boolean; query?: boolean; body?: boolean; extra?: number[] }): Record<number, TSchema> {
  const statuses = new Set<number>([401, 404, 500, 503]);
  if (opts.params || opts.query || opts.body) statuses.add(400);
  if (opts.params) statuses.add(414);
  if (opts.body) {
    statuses.add(413);
    statuses.add(415);
  }
  for (const s of opts.extra ?? []) statuses.add(s);
  return Object.fromEntries([...statuses].sort().map((s) => [s, errorResponse(s)]));
}

const Timestamp = Type.String({ description: 'ISO 8601 time (UTC)' });

export const ConnectorViewSchema = component(
  'Connector',
  Type.Object(
    {
      tenant: Type.String(),
      name: Type.String(),
      type: Type.String(),
      config: Type.Record(Type.String(), Type.Unknown(), { description: "the type's config; secret fields read as ******" }),
      topic_filter: Type.String(),
      failure_strategy: FailureStrategyRef,
      delivery: DeliveryRef,
      transform: Type.Optional(TransformRef),
      desired_state: Type.Enum(['running', 'paused'], { description: 'what the connector was told to be (stored)' }),
      state: Type.Union([Type.Enum([...CONNECTOR_STATES]), Type.Null()], { description: 'what the connector does now (live, from the runtime); null when the runtime does not run it' }),
      description: Type.String(),
      created_at: Timestamp,
      updated_at: Timestamp,
      revision: Type.Integer({ minimum: 1 }),
    },
    { description: 'A connector definition as read: secrets redacted.' },
  ),
);

export const ConnectorPageSchema = Type.Object({ items: Type.Array(ConnectorViewSchema), total: Type.Integer(), page: Type.Integer(), limit: Type.Integer() });

const Count = Type.Integer({ minimum: 0 });
const NullableMs = Type.Union([Type.Integer(), Type.Null()], { description: 'ms since the epoch, or null' });

const FleetCounts = {
  received: Count,
  written: Count,
  discarded_total: Count,
  dead_lettered: Count,
  filtered: Count,
  pending: Type.Integer(),
};

export const FleetInstanceStatusSchema = Type.Object(
  {
    instance_id: Type.String(),
    instance_name: Type.String(),
    alive: Type.Boolean({ description: 'false once the process has sent no heartbeat for SLUICE_INSTANCE_TIMEOUT_MS' }),
    self: Type.Boolean({ description: 'the process that answered' }),
    heartbeat_age_ms: Type.Integer({ minimum: 0 }),
    reported_at: Type.Integer({ description: 'when this status was reported (ms since the epoch)' }),
    state: Type.String(),
    source_connected: Type.Boolean(),
    ...FleetCounts,
    last_error: Type.Union([Type.String(), Type.Null()]),
    last_error_at: NullableMs,
  },
  { description: "One process's last report of the connector (the answering process's own is live)." },
);

export const FleetConnectorStatusSchema = Type.Object(
  {
    instance_id: Type.String({ description: 'the process that answered' }),
    instances: Type.Array(FleetInstanceStatusSchema),
    alive: Type.Integer({ minimum: 0, description: 'how many of the instances are alive' }),
    total: Type.Object(FleetCounts, { description: "summed over every instance, gone ones included (their pending records wait in their journals)" }),
  },
  { description: 'Fleet mode (SLUICE_STORE_URL): the connector on every process of the fleet.' },
);

export const FleetInstancesSchema = Type.Object({
  instance_id: Type.String({ description: 'the process that answered' }),
  instances: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      self: Type.Boolean(),
      alive: Type.Boolean(),
      started_at: Type.Integer({ description: 'ms since the epoch' }),
      heartbeat_at: Type.Integer({ description: 'ms since the epoch (the store clock)' }),
      heartbeat_age_ms: Type.Integer({ minimum: 0 }),
    }),
  ),
});

export const ConnectorStatusSchema = component(
  'ConnectorStatus',
  Type.Object(
    {
      tenant: Type.String(),
      name: Type.String(),
      type: Type.String(),
      state: Type.String({ description: `live state: ${CONNECTOR_STATES.join(', ')} (and any state a later version adds)` }),
      desired_state: Type.Enum(['running', 'paused']),
      waiting_since: { ...NullableMs, description: 'while waiting: since when the target is unavailable (ms since the epoch), else null' },
      next_attempt_at: { ...NullableMs, description: 'while waiting or in error: when the next attempt is due (ms since the epoch), else null' },
      source_connected: Type.Boolean(),
      journal_full: Type.Boolean(),
      received: Count,
      written: Count,
      discarded: Type.Record(Type.String(), Count, { description: 'discards by reason' }),
      discarded_total: Count,
      dead_lettered: Count,
      filtered: { ...Count, description: "records the transform's filter dropped" },
      pending: Type.Integer(),
      accounting_ok: Type.Boolean(),
      retries: Count,
      dlq_replayed: Count,
      committed_offset: Type.Integer(),
      last_success_at: NullableMs,
      oldest_pending_age_ms: Type.Number(),
      journal_bytes: Count,
      max_journal_bytes: Count,
      last_error: Type.Union([Type.String(), Type.Null()]),
      last_error_at: NullableMs,
      fleet: Type.Optional(FleetConnectorStatusSchema),
    },
    { description: "The runtime's view of one connector and its message accounting; in fleet mode also every process's (`fleet`)." },
  ),
);

export const ConnectorMetricsSchema = Type.Object({
  tenant: Type.String(),
  name: Type.String(),
  type: Type.String(),
  state: Type.String(),
  received: Count,
  written: Count,
  discarded: Type.Record(Type.String(), Count),
  discarded_total: Count,
  dead_lettered: Count,
  filtered: Count,
  pending: Type.Integer(),
  retries: Count,
  accounting_ok: Type.Boolean(),
  oldest_pending_age_ms: Type.Number(),
  journal_bytes: Count,
});

export const DeadLetterSchema = component(
  'DeadLetter',
  Type.Object({
    id: Type.Integer({ minimum: 1 }),
    connector_name: Type.String(),
    source_topic: Type.String(),
    error_message: Type.String(),
    retry_times: Count,
    payload: Type.String(),
    payload_encoding: Type.Enum(['utf8', 'base64']),
    qos: Type.Integer({ minimum: 0, maximum: 2 }),
    retain: Type.Boolean(),
    original_timestamp: Type.Integer(),
    dead_letter_timestamp: Type.Integer(),
  }),
);

export const DeadLetterPageSchema = Type.Object({ items: Type.Array(DeadLetterSchema), total: Type.Integer(), page: Type.Integer(), limit: Type.Integer() });
export const ReplaySchema = Type.Object({ replayed: Count, failed: Count });
export const PurgeSchema = Type.Object({ purged: Count });

export const ConnectorTypeSchema = component(
  'ConnectorType',
  Type.Object({
    name: Type.String(),
    title: Type.String(),
    description: Type.String(),
    secret_fields: Type.Array(Type.String()),
    runtime_available: Type.Boolean(),
    max_in_flight: Type.Object({ default: Type.Integer({ minimum: 1 }), max: Type.Integer({ minimum: 1 }) }, { description: 'delivery.max_in_flight of a connector of this type: its default and the most it takes' }),
    schema: Type.Record(Type.String(), Type.Unknown(), { description: "JSON Schema of the type's config (fields with a default are optional)" }),
  }),
);

export const ValidateAnswerSchema = Type.Object({ valid: Type.Literal(true), probed: Type.Boolean(), config: Type.Record(Type.String(), Type.Unknown(), { description: 'the config with defaults filled in and secrets redacted' }) });

/** The RobustMQ envelope `{code: 0, message: "success", data}`. */
export function robustEnvelope<T extends TSchema>(data: T) {
  return Type.Object({ code: Type.Literal(0), message: Type.String(), data });
}

export const NoContent = Type.Null({ description: 'no content' });
