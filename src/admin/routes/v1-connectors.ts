// Resource-style surface: /api/v1/connectors and /api/v1/connectors/:name.
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { ConnectorService } from '../connector-service.js';
import { NameParams, TenantQuery, V1CreateBody, V1ListQuery, V1PatchBody, V1ReplaceBody } from './schemas.js';

type Named = { Params: Static<typeof NameParams>; Querystring: Static<typeof TenantQuery> };

export function v1ConnectorRoutes(app: FastifyInstance, service: ConnectorService): void {
  const tags = ['connectors'];

  app.get('/api/v1/connectors', { schema: { querystring: V1ListQuery, tags } }, async (req) => {
    const q = req.query as Static<typeof V1ListQuery>;
    const page = await service.list({ tenant: q.tenant, nameContains: q.name, type: q.type?.toLowerCase(), limit: q.limit, page: q.page, sortField: q.sort, sortDir: q.order });
    return { items: page.items, total: page.total, page: q.page, limit: q.limit };
  });

  app.post('/api/v1/connectors', { schema: { body: V1CreateBody, tags } }, async (req, reply) => {
    const view = await service.create(req.body as Static<typeof V1CreateBody>);
    return reply.status(201).header('location', `/api/v1/connectors/${view.name}?tenant=${view.tenant}`).send(view);
  });

  app.get<Named>('/api/v1/connectors/:name', { schema: { params: NameParams, querystring: TenantQuery, tags } }, async (req) => {
    return service.get(req.query.tenant ?? 'default', req.params.name);
  });

  app.put<Named>('/api/v1/connectors/:name', { schema: { params: NameParams, querystring: TenantQuery, body: V1ReplaceBody, tags } }, async (req) => {
    const { revision, ...body } = req.body as Static<typeof V1ReplaceBody>;
    return service.replace(req.query.tenant ?? body.tenant ?? 'default', req.params.name, body, revision);
  });

  app.patch<Named>('/api/v1/connectors/:name', { schema: { params: NameParams, querystring: TenantQuery, body: V1PatchBody, tags } }, async (req) => {
    const { revision, ...body } = req.body as Static<typeof V1PatchBody>;
    return service.patch(req.query.tenant ?? body.tenant ?? 'default', req.params.name, body, revision);
  });

  app.delete<Named>('/api/v1/connectors/:name', { schema: { params: NameParams, querystring: TenantQuery, tags } }, async (req, reply) => {
    await service.delete(req.query.tenant ?? 'default', req.params.name);
    return reply.status(204).send();
  });
}
