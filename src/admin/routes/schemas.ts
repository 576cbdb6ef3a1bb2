// TypeBox schemas of the admin API's requests: the routes' only validation, and the OpenAPI source.
import Type from 'typebox';
import { DesiredStateSchema, NAME_PATTERN, NameSchema, TenantSchema } from '../../metadata/definition.js';
import { component } from './responses.js';

// The inputs below are checked in full by buildDefinition (with the type known, defaults applied
// once): the route schema only takes their shape, the OpenAPI document shows the components.
const Json = Type.Unknown({ description: 'any JSON value' });
const RawConfig = Type.Union([Type.Record(Type.String(), Json), Type.String({ maxLength: 1_048_576 })], {
  'x-rule': 'must be a JSON object, or a string holding one',
  description: "The type's config: an object, or (as RobustMQ sends it) a string holding a JSON object.",
});
const ConfigInput = component('ConfigInput', RawConfig);
const StrategyInput = component('FailureStrategy', Type.Record(Type.String(), Json, { description: 'failure strategy; see FailureStrategy' }));
const DeliveryInput = component('Delivery', Type.Record(Type.String(), Json, { description: 'delivery settings; see Delivery' }));
const TransformInput = Type.Union([Type.Record(Type.String(), Json, { description: 'filter and map each record before the sink; see Transform' }), Type.Null()]);
const PatchJson = (what: string) => Type.Record(Type.String(), Json, { description: `keys of ${what} to change (JSON merge patch: null removes a key)` });

export const TenantQuery = Type.Object({ tenant: Type.Optional(TenantSchema) });
/**
 * A tenant without a default, where absent must stay absent: the lists' filter (absent: every
 * tenant) and the PUT/PATCH body (absent: the `?tenant=` of the URL; given: must match it).
 */
const TenantNoDefault = Type.String({ minLength: 1, maxLength: 256, pattern: NAME_PATTERN, 'x-rule': 'expected 1–256 of A-Z a-z 0-9 _ . -, not . or ..' });
/** absent means "keep the stored desired state": a change that does not name it never pauses or resumes */
const DesiredStateNoDefault = Type.Enum(['running', 'paused'], { description: 'running or paused; absent keeps the stored state' });
export const NameParams = Type.Object({ name: NameSchema });
export const TypeParams = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }) });

export const V1ListQuery = Type.Object(
  {
    tenant: Type.Optional(TenantNoDefault),
    name: Type.Optional(Type.String({ maxLength: 128, description: 'contains-match on the connector name' })),
    type: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
    sort: Type.Enum(['name', 'tenant', 'type', 'created_at', 'updated_at'], { default: 'name' }),
    order: Type.Enum(['asc', 'desc'], { default: 'asc' }),
  },
  { additionalProperties: false },
);

const definitionFields = {
  tenant: Type.Optional(TenantSchema),
  type: Type.String({ minLength: 1, maxLength: 64, description: 'connector type, case-insensitive; see GET /api/v1/connector-types' }),
  config: ConfigInput,
  topic_filter: Type.String({ minLength: 1, maxLength: 65535, description: 'MQTT topic filter; $share/<group>/<filter> allowed' }),
  failure_strategy: Type.Optional(StrategyInput),
  delivery: Type.Optional(DeliveryInput),
  transform: Type.Optional(TransformInput),
  desired_state: Type.Optional(DesiredStateSchema),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
};

export const V1CreateBody = Type.Object({ name: NameSchema, ...definitionFields }, { additionalProperties: false });
export const V1ReplaceBody = Type.Object(
  { name: Type.Optional(NameSchema), ...definitionFields, desired_state: Type.Optional(DesiredStateNoDefault), tenant: Type.Optional(TenantNoDefault), revision: Type.Optional(Type.Integer({ minimum: 1, description: 'stored revision expected; 409 when stale' })) },
  { additionalProperties: false },
);
export const V1PatchBody = Type.Object(
  {
    name: Type.Optional(NameSchema),
    tenant: Type.Optional(TenantNoDefault),
    type: Type.Optional(definitionFields.type),
    config: Type.Optional(Type.Union([PatchJson('the config'), Type.String({ maxLength: 1_048_576 })], { 'x-rule': 'must be a JSON object, or a string holding one' })),
    topic_filter: Type.Optional(definitionFields.topic_filter),
    failure_strategy: Type.Optional(PatchJson('the failure strategy (see FailureStrategy)')),
    delivery: Type.Optional(PatchJson('the delivery settings (see Delivery)')),
    transform: Type.Optional(Type.Union([PatchJson('the transform (see Transform)'), Type.Null()])),
    desired_state: Type.Optional(DesiredStateNoDefault),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    revision: Type.Optional(Type.Integer({ minimum: 1, description: 'stored revision expected; 409 when stale. Without it the change is applied to whatever is stored, re-applied on a concurrent change' })),
  },
  { additionalProperties: false },
);
export const ValidateBody = Type.Object(
  { config: ConfigInput, probe: Type.Boolean({ default: false, description: 'also open the sink and check the target is reachable' }) },
  { additionalProperties: false },
);

export const RobustListQuery = Type.Object({
  tenant: Type.Optional(TenantNoDefault),
  connector_name: Type.Optional(Type.String({ maxLength: 128 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  sort_field: Type.Enum(['connector_name', 'tenant', 'connector_type', 'create_time', 'update_time'], { default: 'connector_name' }),
  sort_by: Type.Enum(['asc', 'desc'], { default: 'asc' }),
});
export const RobustNameQuery = Type.Object({ tenant: Type.Optional(TenantSchema), connector_name: NameSchema });
export const RobustCreateBody = Type.Object(
  {
    tenant: Type.Optional(TenantSchema),
    connector_name: NameSchema,
    connector_type: Type.String({ minLength: 1, maxLength: 50 }),
    config: RawConfig,
    topic_name: Type.String({ minLength: 1, maxLength: 65535 }),
    failure_strategy: Type.Optional(Type.Union([Type.Record(Type.String(), Json, { description: 'failure strategy (see FailureStrategy); null fields take the default' }), Type.Null()])),
    delivery: Type.Optional(DeliveryInput),
    transform: Type.Optional(TransformInput),
    etl_rule: Type.Optional(Type.Union([Type.Record(Type.String(), Json), Type.Null()], { description: "RobustMQ's ETL rule, as RobustMQ's connector carries it: the transform's etl_rule" })),
  },
  { additionalProperties: false },
);
export const RobustDeleteBody = Type.Object({ tenant: Type.Optional(TenantSchema), connector_name: NameSchema }, { additionalProperties: false });
