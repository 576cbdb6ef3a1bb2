// Runtime routes: status, pause/resume/restart, dead letters, Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { SluiceError } from '../../errors.js';
import type { ConnectorService } from '../connector-service.js';
import type { DeadLetterPort, RuntimePort } from '../runtime-port.js';
import { NameParams, TenantQuery } from './schemas.js';

type Named = { Params: Static<typeof NameParams>; Querystring: Static<typeof TenantQuery> };
const PageQuery = Type.Object({
  tenant: TenantQuery.properties.tenant,
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
});
const DlParams = Type.Object({ name: NameParams.properties.name, id: Type.Integer({ minimum: 1 }) });
const IdsBody = Type.Object({ ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100_000 })) }, { additionalProperties: false, 'x-body-optional': true });

function runtimeOf(service: ConnectorService): RuntimePort {
  const rt = service.runtimePort();
  if (!rt) throw new SluiceError('SERVICE_UNAVAILABLE', 'the runtime is not started');
  return rt;
}

async function statusOf(service: ConnectorService, tenant: string, name: string) {
  const def = await service.definition(tenant, name);
  const s = runtimeOf(service).status(def.tenant, def.name);
  if (!s) throw new SluiceError('NOT_RUNNING', `connector ${tenant}/${name} is not loaded in the runtime`);
  return s;
}

async function dlqOf(service: ConnectorService, tenant: string, name: string): Promise<DeadLetterPort> {
  await service.definition(tenant, name);
  const port = runtimeOf(service).deadLetters(tenant, name);
  if (!port) throw new SluiceError('NOT_RUNNING', `connector ${tenant}/${name} is not loaded in the runtime`);
  return port;
}

export function v1RuntimeRoutes(app: FastifyInstance, service: ConnectorService): void {
  const tags = ['runtime'];
  const named = { params: NameParams, querystring: TenantQuery, tags };

  app.get<Named>('/api/v1/connectors/:name/status', { schema: named }, async (req) => statusOf(service, req.query.tenant ?? 'default', req.params.name));

  app.post<Named>('/api/v1/connectors/:name/pause', { schema: named }, async (req) => {
    const tenant = req.query.tenant ?? 'default';
    await service.setDesiredState(tenant, req.params.name, 'paused');
    await runtimeOf(service).settle(tenant, req.params.name);
    return statusOf(service, tenant, req.params.name);
  });

  app.post<Named>('/api/v1/connectors/:name/resume', { schema: named }, async (req) => {
    const tenant = req.query.tenant ?? 'default';
    await service.setDesiredState(tenant, req.params.name, 'running');
    await runtimeOf(service).settle(tenant, req.params.name);
    return statusOf(service, tenant, req.params.name);
  });

  app.post<Named>('/api/v1/connectors/:name/restart', { schema: named }, async (req) => {
    const tenant = req.query.tenant ?? 'default';
    await service.definition(tenant, req.params.name);
    await runtimeOf(service).restart(tenant, req.params.name);
    return statusOf(service, tenant, req.params.name);
  });

  app.get<Named>('/api/v1/connectors/:name/metrics', { schema: named }, async (req) => {
    const s = await statusOf(service, req.query.tenant ?? 'default', req.params.name);
    const { tenant, name, type, state, received, written, discarded, discarded_total, dead_lettered, pending, retries, accounting_ok, oldest_pending_age_ms, journal_bytes } = s;
    return { tenant, name, type, state, received, written, discarded, discarded_total, dead_lettered, pending, retries, accounting_ok, oldest_pending_age_ms, journal_bytes };
  });

  app.get<{ Params: Static<typeof NameParams>; Querystring: Static<typeof PageQuery> }>('/api/v1/connectors/:name/dead-letters', { schema: { params: NameParams, querystring: PageQuery, tags } }, async (req) => {
    const port = await dlqOf(service, req.query.tenant ?? 'default', req.params.name);
    const r = port.list(req.query.limit, req.query.page);
    return { items: r.items, total: r.total, page: req.query.page, limit: req.query.limit };
  });

  app.get<{ Params: Static<typeof DlParams>; Querystring: Static<typeof TenantQuery> }>('/api/v1/connectors/:name/dead-letters/:id', { schema: { params: DlParams, querystring: TenantQuery, tags } }, async (req) => {
    const port = await dlqOf(service, req.query.tenant ?? 'default', req.params.name);
    const item = port.get(req.params.id);
    if (!item) throw new SluiceError('NOT_FOUND', `dead letter ${req.params.id} of ${req.params.name} does not exist`);
    return item;
  });

  app.post<{ Params: Static<typeof NameParams>; Querystring: Static<typeof TenantQuery>; Body: Static<typeof IdsBody> | undefined }>(
    '/api/v1/connectors/:name/dead-letters/replay',
    { schema: { params: NameParams, querystring: TenantQuery, body: IdsBody, tags } },
    async (req) => {
      const port = await dlqOf(service, req.query.tenant ?? 'default', req.params.name);
      return port.replay(req.body?.ids);
    },
  );

  app.delete<{ Params: Static<typeof NameParams>; Querystring: Static<typeof TenantQuery>; Body: Static<typeof IdsBody> | undefined }>(
    '/api/v1/connectors/:name/dead-letters',
    { schema: { params: NameParams, querystring: TenantQuery, body: IdsBody, tags } },
    async (req) => {
      const port = await dlqOf(service, req.query.tenant ?? 'default', req.params.name);
      return { purged: port.purge(req.body?.ids) };
    },
  );

  app.get('/metrics', { schema: { tags: ['system'] } }, async (_req, reply) => {
    const m = await runtimeOf(service).metrics();
    return reply.header('content-type', m.contentType).send(m.body);
  });
}
