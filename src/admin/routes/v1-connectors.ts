// Resource-style surface: /api/v1/connectors and /api/v1/connectors/:name.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { ConnectorService } from '../connector-service.js';
import { ConnectorPageSchema, ConnectorViewSchema, errorResponses, NoContent } from './responses.js';
import { NameParams, TenantQuery, V1CreateBody, V1ListQuery, V1PatchBody, V1ReplaceBody } from './schemas.js';

const view = (description: string) => ({ ...ConnectorViewSchema, description });

export function v1ConnectorRoutes(server: FastifyInstance, service: ConnectorService): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['connectors'];
  const named = { params: NameParams, querystring: TenantQuery, tags };

  app.get(
    '/api/v1/connectors',
    { schema: { operationId: 'listConnectors', summary: 'List connectors (filter, sort, page)', querystring: V1ListQuery, tags, response: { 200: { ...ConnectorPageSchema, description: 'one page of connectors' }, ...errorResponses({ query: true }) } } },
    async (req) => {
      const q = req.query;
      const page = await service.list({ tenant: q.tenant, nameContains: q.name, type: q.type?.toLowerCase(), limit: q.limit, page: q.page, sortField: q.sort, sortDir: q.order });
      return { items: page.items, total: page.total, page: q.page, limit: q.limit };
    },
  );

  app.post(
    '/api/v1/connectors',
    {
      schema: {
        operationId: 'createConnector',
        summary: 'Create a connector',
        body: V1CreateBody,
        tags,
        response: { 201: { ...view('created; Location names it'), headers: { location: Type.String({ description: 'path of the new connector' }) } }, ...errorResponses({ body: true, extra: [409] }) },
      },
    },
    async (req, reply) => {
      const created = await service.create(req.body);
      return reply.status(201).header('location', `/api/v1/connectors/${created.name}?tenant=${created.tenant}`).send(created);
    },
  );

  app.get(
    '/api/v1/connectors/:name',
    { schema: { operationId: 'getConnector', summary: 'Read one connector (secrets as ******)', ...named, response: { 200: view('the connector'), ...errorResponses({ params: true }) } } },
    async (req) => service.get(req.query.tenant ?? 'default', req.params.name),
  );

  app.put(
    '/api/v1/connectors/:name',
    {
      schema: {
        operationId: 'replaceConnector',
        summary: 'Replace a connector (the whole definition; ****** keeps a stored secret)',
        ...named,
        body: V1ReplaceBody,
        response: { 200: view('the stored connector'), ...errorResponses({ params: true, body: true, extra: [409] }) },
      },
    },
    async (req) => {
      const { revision, ...body } = req.body;
      return service.replace(req.query.tenant ?? body.tenant ?? 'default', req.params.name, body, revision);
    },
  );

  app.patch(
    '/api/v1/connectors/:name',
    {
      schema: {
        operationId: 'patchConnector',
        summary: 'Change some fields of a connector (JSON merge patch)',
        ...named,
        body: V1PatchBody,
        response: { 200: view('the stored connector'), ...errorResponses({ params: true, body: true, extra: [409] }) },
      },
    },
    async (req) => {
      const { revision, ...body } = req.body;
      return service.patch(req.query.tenant ?? body.tenant ?? 'default', req.params.name, body, revision);
    },
  );

  app.delete(
    '/api/v1/connectors/:name',
    { schema: { operationId: 'deleteConnector', summary: 'Delete a connector (its journal and dead letters go with it)', ...named, response: { 204: NoContent, ...errorResponses({ params: true }) } } },
    async (req, reply) => {
      await service.delete(req.query.tenant ?? 'default', req.params.name);
      return reply.status(204).send(null);
    },
  );
}
