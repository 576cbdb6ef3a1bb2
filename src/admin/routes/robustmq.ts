// RobustMQ-compatible surface: /api/cluster/connector/*, envelope {code: 0, message: "success", data}.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { SluiceError } from '../../errors.js';
import { CONNECTOR_STATES, type ConnectorState } from '../../core/connector-status.js';
import type { ListQuery } from '../../metadata/store.js';
import type { ConnectorService } from '../connector-service.js';
import type { ConnectorView } from '../connector-view.js';
import { errorResponses, FailureStrategyRef, robustEnvelope } from './responses.js';
import { RobustCreateBody, RobustDeleteBody, RobustListQuery, RobustNameQuery } from './schemas.js';
import { hostname } from 'node:os';

const ok = <T>(data: T) => ({ code: 0 as const, message: 'success', data });

const SORT: Record<Static<typeof RobustListQuery>['sort_field'], ListQuery['sortField']> = {
  connector_name: 'name',
  tenant: 'tenant',
  connector_type: 'type',
  create_time: 'created_at',
  update_time: 'updated_at',
};

/** `2024-01-01 10:00:00` (UTC), as RobustMQ prints times. */
function robustTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, '');
}

/**
 * RobustMQ's status of the live state: a connector that cannot deliver (its sink failed, or its
 * target is unavailable) is `Error`, whatever it was told to be; `state` carries Sluice's word.
 */
const ROBUST_STATUS: Record<ConnectorState, 'Idle' | 'Running' | 'Stopped' | 'Error'> = {
  idle: 'Idle',
  running: 'Running',
  waiting: 'Error',
  error: 'Error',
  paused: 'Stopped',
  stopping: 'Stopped',
};

function robustStatus(view: ConnectorView): 'Idle' | 'Running' | 'Stopped' | 'Error' {
  if (view.state === null) return view.desired_state === 'paused' ? 'Stopped' : 'Idle';
  return ROBUST_STATUS[view.state];
}

const ROBUST_FIELDS: Record<string, string> = { name: 'connector_name', type: 'connector_type', topic_filter: 'topic_name' };

/** Errors name the fields as this surface's callers wrote them (`connector_type`, not `type`). */
async function withRobustFieldNames<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof SluiceError) || e.fields.length === 0) throw e;
    const rename = (path: string) => {
      const head = path.split(/[.[]/)[0] ?? '';
      return ROBUST_FIELDS[head] ? ROBUST_FIELDS[head] + path.slice(head.length) : path;
    };
    const fields = e.fields.map((f) => ({ path: rename(f.path), rule: f.rule }));
    throw new SluiceError(e.code, fields.map((f) => `${f.path}: ${f.rule}`).join('; '), fields);
  }
}

const RobustConnector = Type.Object({
  tenant: Type.String(),
  connector_name: Type.String(),
  connector_type: Type.String(),
  config: Type.String({ description: 'the config as a JSON string, secrets as ******' }),
  topic_name: Type.String(),
  failure_strategy: FailureStrategyRef,
  status: Type.Enum(['Idle', 'Running', 'Stopped', 'Error'], { description: 'the live state in RobustMQ words: Running, Idle (starting, or not run), Stopped (paused), Error (sink failed or target unavailable)' }),
  state: Type.Union([Type.Enum([...CONNECTOR_STATES]), Type.Null()], { description: "Sluice's live state; null when the runtime does not run the connector" }),
  desired_state: Type.Enum(['running', 'paused'], { description: 'what the connector was told to be (stored)' }),
  broker_id: Type.String(),
  create_time: Type.String({ description: 'YYYY-MM-DD hh:mm:ss (UTC)' }),
  update_time: Type.String(),
});
const ListAnswer = robustEnvelope(Type.Object({ data: Type.Array(RobustConnector), total_count: Type.Integer() }));
const DetailAnswer = robustEnvelope(
  Type.Object({ last_send_time: Type.Integer({ description: 'seconds since the epoch; 0: never' }), send_success_total: Type.Integer(), send_fail_total: Type.Integer(), last_msg: Type.Union([Type.String(), Type.Null()]) }),
);
const Success = { ...robustEnvelope(Type.Literal('success')), description: 'done' };

export function robustmqRoutes(server: FastifyInstance, service: ConnectorService): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const broker = hostname();
  const tags = ['robustmq'];

  app.get(
    '/api/cluster/connector/list',
    { schema: { operationId: 'robustmqListConnectors', summary: 'List connectors (RobustMQ envelope)', querystring: RobustListQuery, tags, response: { 200: { ...ListAnswer, description: 'one page of connectors' }, ...errorResponses({ query: true }) } } },
    async (req) => {
    const q = req.query;
    const page = await service.list({ tenant: q.tenant, nameContains: q.connector_name, limit: q.limit, page: q.page, sortField: SORT[q.sort_field], sortDir: q.sort_by });
    return ok({
      data: page.items.map((v) => ({
        tenant: v.tenant,
        connector_name: v.name,
        connector_type: v.type,
        config: JSON.stringify(v.config),
        topic_name: v.topic_filter,
        failure_strategy: v.failure_strategy,
        status: robustStatus(v),
        state: v.state,
        desired_state: v.desired_state,
        broker_id: broker,
        create_time: robustTime(v.created_at),
        update_time: robustTime(v.updated_at),
      })),
      total_count: page.total,
    });
    },
  );

  app.get(
    '/api/cluster/connector/detail',
    { schema: { operationId: 'robustmqConnectorDetail', summary: 'Delivery counters of one connector (RobustMQ envelope)', querystring: RobustNameQuery, tags, response: { 200: { ...DetailAnswer, description: 'the counters' }, ...errorResponses({ query: true, extra: [409] }) } } },
    async (req) => {
    const q = req.query;
    const def = await service.definition(q.tenant ?? 'default', q.connector_name);
    const status = service.runtimePort()?.status(def.tenant, def.name);
    if (!status) throw new SluiceError('NOT_RUNNING', `Connector thread ${q.connector_name} does not exist.`);
    const lastSuccess = status.last_success_at === null ? 0 : Math.floor(status.last_success_at / 1000);
    return ok({
      last_send_time: lastSuccess,
      send_success_total: status.written,
      send_fail_total: status.discarded_total + status.dead_lettered,
      last_msg: status.last_error,
    });
    },
  );

  app.post(
    '/api/cluster/connector/create',
    { schema: { operationId: 'robustmqCreateConnector', summary: 'Create a connector (RobustMQ field names)', body: RobustCreateBody, tags, response: { 200: Success, ...errorResponses({ body: true, extra: [409] }) } } },
    async (req) => {
    const b = req.body;
    await withRobustFieldNames(() => service.create({
      tenant: b.tenant,
      name: b.connector_name,
      type: b.connector_type,
      config: b.config,
      topic_filter: b.topic_name,
      failure_strategy: b.failure_strategy ?? undefined,
      delivery: b.delivery,
      // RobustMQ's connector carries its ETL rule beside the config; here it is part of the transform
      transform: b.etl_rule === undefined || b.etl_rule === null ? b.transform : { ...(b.transform ?? {}), etl_rule: b.etl_rule },
    }));
    return ok('success' as const);
    },
  );

  app.post(
    '/api/cluster/connector/delete',
    { schema: { operationId: 'robustmqDeleteConnector', summary: 'Delete a connector (RobustMQ field names)', body: RobustDeleteBody, tags, response: { 200: Success, ...errorResponses({ body: true }) } } },
    async (req) => {
    await service.delete(req.body.tenant ?? 'default', req.body.connector_name);
    return ok('success' as const);
    },
  );
}
