// RobustMQ-compatible surface: /api/cluster/connector/*, envelope {code: 0, message: "success", data}.
import type { FastifyInstance } from 'fastify';
import { SluiceError } from '../../errors.js';
import type { ListQuery } from '../../metadata/store.js';
import type { ConnectorService } from '../connector-service.js';
import type { ConnectorView } from '../connector-view.js';
import { RobustCreateBody, RobustDeleteBody, RobustListQuery, RobustNameQuery } from './schemas.js';
import type { Static } from 'typebox';
import { hostname } from 'node:os';

const ok = <T>(data: T) => ({ code: 0, message: 'success', data });

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

function robustStatus(service: ConnectorService, view: ConnectorView): string {
  if (view.desired_state === 'paused') return 'Stopped';
  const status = service.runtimePort()?.status(view.tenant, view.name);
  if (!status) return 'Idle';
  return status.state === 'running' ? 'Running' : status.state === 'idle' ? 'Idle' : status.state === 'error' ? 'Error' : 'Stopped';
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

export function robustmqRoutes(app: FastifyInstance, service: ConnectorService): void {
  const broker = hostname();

  app.get('/api/cluster/connector/list', { schema: { querystring: RobustListQuery, tags: ['robustmq'] } }, async (req) => {
    const q = req.query as Static<typeof RobustListQuery>;
    const page = await service.list({ tenant: q.tenant, nameContains: q.connector_name, limit: q.limit, page: q.page, sortField: SORT[q.sort_field], sortDir: q.sort_by });
    return ok({
      data: page.items.map((v) => ({
        tenant: v.tenant,
        connector_name: v.name,
        connector_type: v.type,
        config: JSON.stringify(v.config),
        topic_name: v.topic_filter,
        failure_strategy: v.failure_strategy,
        status: robustStatus(service, v),
        broker_id: broker,
        create_time: robustTime(v.created_at),
        update_time: robustTime(v.updated_at),
      })),
      total_count: page.total,
    });
  });

  app.get('/api/cluster/connector/detail', { schema: { querystring: RobustNameQuery, tags: ['robustmq'] } }, async (req) => {
    const q = req.query as Static<typeof RobustNameQuery>;
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
  });

  app.post('/api/cluster/connector/create', { schema: { body: RobustCreateBody, tags: ['robustmq'] } }, async (req) => {
    const b = req.body as Static<typeof RobustCreateBody>;
    await withRobustFieldNames(() => service.create({
      tenant: b.tenant,
      name: b.connector_name,
      type: b.connector_type,
      config: b.config,
      topic_filter: b.topic_name,
      failure_strategy: b.failure_strategy ?? undefined,
      delivery: b.delivery,
    }));
    return ok('success');
  });

  app.post('/api/cluster/connector/delete', { schema: { body: RobustDeleteBody, tags: ['robustmq'] } }, async (req) => {
    const b = req.body as Static<typeof RobustDeleteBody>;
    await service.delete(b.tenant ?? 'default', b.connector_name);
    return ok('success');
  });
}
