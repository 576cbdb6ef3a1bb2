// A connector's transform, compiled once: for each record, the filter decides whether it is sent
// and the map builds what is sent (payload, topic, timestamp, user properties). The record's id, offset,
// QoS, retain and timestamp are kept, so a sink still deduplicates a redelivered record.
import type { SinkRecord } from '../../connectors/sink.js';
import { mapSection, type Transform } from '../../metadata/transform.js';
import { topicNameError } from '../../metadata/topic.js';
import { type CompiledExpression, compileExpression, TransformError } from './expression.js';
import { GIVE_UP } from './fast-path.js';
import { type CompiledEtl, compileEtlRule } from '../../transform/etl/index.js';
import { recordView } from './record-view.js';

export type TransformOutcome = { kind: 'filtered' } | { kind: 'records'; records: SinkRecord[] };

export interface CompiledTransform {
  /**
   * The records to send for `r` (none when filtered), or a TransformError. Synchronous when
   * every expression ran on the fast path (no promise per record), else a promise.
   */
  apply(r: SinkRecord): TransformOutcome | Promise<TransformOutcome>;
}

const FILTERED: TransformOutcome = { kind: 'filtered' };

/** Each expression's value: synchronously when all run on the fast path, else a promise for the lot. */
function evaluateAll(exprs: readonly CompiledExpression[], input: unknown): unknown[] | Promise<unknown[]> {
  const values: unknown[] = [];
  for (let i = 0; i < exprs.length; i++) {
    const v = (exprs[i] as CompiledExpression).trySync(input);
    if (v === GIVE_UP) return Promise.all(exprs.slice(i).map((e) => e.evaluate(input))).then((rest) => [...values, ...rest]);
    values.push(v);
  }
  return values;
}

function payloadBytes(where: string, value: unknown): Buffer {
  if (value === undefined) throw new TransformError(`${where}: gave no value (a path that matches nothing?)`);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (typeof value === 'function') throw new TransformError(`${where}: gave a function, not a value`);
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function topicOf(value: unknown): string {
  if (typeof value !== 'string') throw new TransformError(`transform.map.topic: must give a string, gave ${value === undefined ? 'no value' : typeof value}`);
  const rule = topicNameError(value);
  if (rule) throw new TransformError(`transform.map.topic: "${value.length > 200 ? `${value.slice(0, 200)}…` : value}" is not a valid topic name: it ${rule}`);
  return value;
}

function timestampOf(value: unknown): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new TransformError(`transform.map.timestamp: must give ms since the epoch or an ISO 8601 text, gave ${value === undefined ? 'no value' : JSON.stringify(value)?.slice(0, 100)}`);
  return Math.round(ms);
}

function userPropertiesOf(value: unknown): Record<string, string | string[]> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TransformError('transform.map.user_properties: must give an object of strings');
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/**
 * RobustMQ's ETL rule on the payload: one record per output payload. A message split into several
 * gives ids `<id>#<n>`, the same on every redelivery, so sinks still deduplicate; `now` in a Set
 * rule is the record's receive time, for the same reason.
 */
function etlRecords(etl: CompiledEtl, r: SinkRecord): TransformOutcome {
  let payloads: Buffer[];
  try {
    payloads = etl.apply(r.payload, r.timestamp);
  } catch (e) {
    throw new TransformError(`transform.etl_rule: ${(e as Error).message}`);
  }
  if (payloads.length === 0) return FILTERED;
  const make = (payload: Buffer, i: number): SinkRecord => {
    const out: SinkRecord = { id: payloads.length === 1 ? r.id : `${r.id}#${i}`, offset: r.offset, topic: r.topic, payload, qos: r.qos, retain: r.retain, timestamp: r.timestamp };
    if (r.properties) out.properties = r.properties;
    return out;
  };
  return { kind: 'records', records: payloads.map(make) };
}

/** JSONata's own truthiness: a filter that matches nothing (undefined) rejects the record. */
function keeps(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(keeps);
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return value === true;
}

export function compileTransform(t: Transform): CompiledTransform {
  const bounds = { timeout_ms: t.timeout_ms, max_depth: t.max_depth };
  const filter = t.filter === undefined ? undefined : compileExpression('transform.filter', t.filter, bounds);
  const map = mapSection(t);
  const compiled: Partial<Record<'payload' | 'topic' | 'timestamp' | 'user_properties', CompiledExpression>> = {};
  for (const k of ['payload', 'topic', 'timestamp', 'user_properties'] as const) {
    const source = map?.[k];
    if (source !== undefined) compiled[k] = compileExpression(typeof t.map === 'string' ? 'transform.map' : `transform.map.${k}`, source, bounds);
  }
  const payloadPlace = typeof t.map === 'string' ? 'transform.map' : 'transform.map.payload';
  const etl = t.etl_rule ? compileEtlRule(t.etl_rule) : undefined;
  const keys = (['payload', 'topic', 'timestamp', 'user_properties'] as const).filter((k) => compiled[k] !== undefined);
  const exprs = keys.map((k) => compiled[k] as CompiledExpression);

  const build = (r: SinkRecord, values: unknown[]): TransformOutcome => {
    // assigned field by field: spreading a record is slow in V8 and this runs per record
    const out: SinkRecord = { id: r.id, offset: r.offset, topic: r.topic, payload: r.payload, qos: r.qos, retain: r.retain, timestamp: r.timestamp };
    if (r.properties) out.properties = r.properties;
    keys.forEach((k, i) => {
      const v = values[i];
      if (k === 'payload') out.payload = payloadBytes(payloadPlace, v);
      else if (k === 'topic') out.topic = topicOf(v);
      else if (k === 'timestamp') out.timestamp = timestampOf(v);
      else out.properties = { ...r.properties, userProperties: { ...r.properties?.userProperties, ...userPropertiesOf(v) } };
    });
    return { kind: 'records', records: [out] };
  };

  const mapped = (r: SinkRecord, view: unknown): TransformOutcome | Promise<TransformOutcome> => {
    if (etl) return etlRecords(etl, r);
    if (exprs.length === 0) return { kind: 'records', records: [r] };
    const values = evaluateAll(exprs, view);
    return values instanceof Promise ? values.then((v) => build(r, v)) : build(r, values);
  };

  return {
    apply(r) {
      if (!filter && exprs.length === 0 && !etl) return { kind: 'records', records: [r] };
      if (!filter && etl) return etlRecords(etl, r); // the ETL rule reads the payload itself
      const view = recordView(r);
      if (!filter) return mapped(r, view);
      const kept = filter.trySync(view);
      if (kept === GIVE_UP) return filter.evaluate(view).then((v) => (keeps(v) ? mapped(r, view) : FILTERED));
      return keeps(kept) ? mapped(r, view) : FILTERED;
    },
  };
}
