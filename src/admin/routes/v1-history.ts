// GET /api/v1/connectors/:name/history: the connector's sampled rates and pending (kept in
// memory by the core for the last hour), what the console's sparklines and charts draw.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { SluiceError } from '../../errors.js';
import type { ConnectorService } from '../connector-service.js';
import { NameParams, TenantQuery } from './schemas.js';

const HistoryQuery = Type.Object({
  tenant: TenantQuery.properties.tenant,
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'only samples taken after this time (ms since the epoch)' })),
});

export function v1HistoryRoutes(app: FastifyInstance, service: ConnectorService): void {
  app.get<{ Params: Static<typeof NameParams>; Querystring: Static<typeof HistoryQuery> }>(
    '/api/v1/connectors/:name/history',
    { schema: { params: NameParams, querystring: HistoryQuery, tags: ['runtime'] } },
    async (req) => {
      const tenant = req.query.tenant ?? 'default';
      const def = await service.definition(tenant, req.params.name);
      const rt = service.runtimePort();
      if (!rt) throw new SluiceError('SERVICE_UNAVAILABLE', 'the runtime is not started');
      const h = rt.history(def.tenant, def.name, req.query.since);
      if (!h) throw new SluiceError('NOT_RUNNING', `connector ${tenant}/${req.params.name} is not loaded in the runtime`);
      return h;
    },
  );
}
