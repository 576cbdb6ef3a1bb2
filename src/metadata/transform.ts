// A connector's `transform` section: what happens to each record between the journal and the
// sink. `filter` (a JSONata expression) drops records, counted as `filtered`; `map` (JSONata)
// builds the payload, topic and user properties sent; RobustMQ's `etl_rule` is the other way to
// shape the payload. Checked (and every expression compiled) when the definition is written.
import jsonata from 'jsonata';
import Type, { type Static } from 'typebox';
import type { FieldError } from '../errors.js';
import { EtlRuleSchema, etlRuleErrors, isEmptyEtlRule } from '../transform/etl/index.js';
import { schemaErrors } from './schema-errors.js';

const Expression = (description: string, examples: string[]) => Type.String({ minLength: 1, maxLength: 8192, description, examples });

export const MapSchema = Type.Object(
  {
    payload: Type.Optional(Expression('The payload sent: an object, array, number or boolean is sent as JSON, a string as its UTF-8 text. Unset: the payload as received.', ['{ "device": topic_levels[1], "celsius": payload.temp }'])),
    topic: Type.Optional(Expression('The record\'s topic as the sink sees it (templates and `${topic}` use it): a valid MQTT topic name. Unset: the topic as received.', ['"plant/" & topic_levels[1]'])),
    timestamp: Type.Optional(Expression('The record\'s time as the sink writes it (InfluxDB points, ClickHouse rows, `${timestamp}`): ms since the epoch, or an ISO 8601 text. Unset: when Sluice received the message.', ['payload.ts * 1000'])),
    user_properties: Type.Optional(Expression('An object of strings added to the record\'s MQTT 5 user properties (a Kafka header, `${user_properties.<name>}` in templates).', ['{ "route": topic_levels[0] }'])),
  },
  { additionalProperties: false, description: 'JSONata expressions over the record; each is optional.' },
);

export const TransformSchema = Type.Object(
  {
    filter: Type.Optional(Expression('Keep the record when this JSONata expression is true; a record it rejects is counted as `filtered` and never sent.', ['payload.temp > 30 and topic_levels[1] = "site-7"'])),
    map: Type.Optional(Type.Union([Expression('Shorthand for `{ "payload": <expression> }`.', ['payload.reading']), MapSchema])),
    etl_rule: Type.Optional(Type.Union([EtlRuleSchema, Type.Null()], { description: "RobustMQ's ETL rule (decode → Extract/Rename/KeepOnly/Set/Delete → encode), the other way to shape the payload; see transforms-etl.md. Runs after the filter; not together with `map`." })),
    timeout_ms: Type.Integer({ minimum: 1, maximum: 5000, default: 250, description: 'Longest time one expression may run for one record, in ms (wall clock). A record whose expression runs out of it three times in a row fails (permanent).' }),
    max_depth: Type.Integer({ minimum: 8, maximum: 1000, default: 200, description: 'Deepest evaluation stack of one expression; deeper fails the record (permanent).' }),
  },
  { additionalProperties: false },
);

export type TransformMap = Static<typeof MapSchema>;
export type Transform = Static<typeof TransformSchema>;

/** The map section with the string shorthand spelled out. */
export function mapSection(t: Transform): TransformMap | undefined {
  return typeof t.map === 'string' ? { payload: t.map } : t.map;
}

/** A JSONata syntax error as a rule: the message and where it is. */
export function expressionError(source: string): string | undefined {
  try {
    jsonata(source);
    return undefined;
  } catch (e) {
    const err = e as { message?: string; position?: number; token?: string };
    const at = typeof err.position === 'number' ? ` at position ${err.position}` : '';
    return `does not parse${at}: ${err.message ?? String(e)}`;
  }
}

/**
 * Checks a `transform` section (absent or null: none). An empty section is none, too. Returns
 * the defaulted value, or the errors naming each expression that does not parse.
 */
export function parseTransform(input: unknown, prefix = 'transform'): { value?: Transform; errors: FieldError[] } {
  if (input === undefined || input === null) return { errors: [] };
  if (typeof input !== 'object' || Array.isArray(input)) return { errors: [{ path: prefix, rule: 'must be an object' }] };
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) if (v !== null && v !== undefined) given[k] = v;
  const candidate: Record<string, unknown> = { timeout_ms: 250, max_depth: 200, ...given };
  // the ETL rule has its own checks, whose errors name the step; the schema checks the rest
  const { etl_rule: etlRule, ...rest } = candidate;
  const errors = [...schemaErrors(TransformSchema, rest, prefix), ...etlRuleErrors(etlRule, `${prefix}.etl_rule`)];
  if (errors.length > 0) return { errors };
  const hasEtl = etlRule !== undefined && !isEmptyEtlRule(etlRule);
  if (!hasEtl) delete candidate.etl_rule;
  const t = candidate as Transform;
  if (t.filter !== undefined) {
    const rule = expressionError(t.filter);
    if (rule) errors.push({ path: `${prefix}.filter`, rule });
  }
  const map = mapSection(t);
  const mapPath = typeof t.map === 'string' ? `${prefix}.map` : `${prefix}.map.`;
  for (const [k, source] of Object.entries(map ?? {})) {
    const rule = typeof source === 'string' ? expressionError(source) : undefined;
    if (rule) errors.push({ path: typeof t.map === 'string' ? mapPath : `${mapPath}${k}`, rule });
  }
  if (hasEtl && map !== undefined && Object.keys(map).length > 0) errors.push({ path: `${prefix}.etl_rule`, rule: 'cannot be used together with map: shape the payload with one of them' });
  if (errors.length > 0) return { errors };
  if (t.filter === undefined && !hasEtl && (map === undefined || Object.keys(map).length === 0)) return { errors: [] };
  return { value: t, errors: [] };
}
