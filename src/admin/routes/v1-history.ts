// GET /api/v1/connectors/:name/history: the connector's sampled rates and pending (kept in
// memory by the core for the last hour), what the console's sparklines and charts draw.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { SluiceError } from '../../errors.js';
import type { ConnectorService } from '../connector-service.js';
import { errorResponses } from './responses.js';
import { NameParams, TenantQuery } from './schemas.js';

const HistoryQuery = Type.Object({
  tenant: TenantQuery.properties.tenant,
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'only samples taken after this time (ms since the epoch)' })),
});

const n = (description: string) => Type.Number({ description });
const HistorySchema = Type.Object(
  {
    interval_ms: n('time between samples'),
    keep_ms: n('how long samples are kept'),
    samples: Type.Array(
      Type.Object({
        t: n('sample time, ms since the epoch'),
        received: n('received so far'),
        written: n('written so far'),
        failed: n('discarded_total + dead_lettered so far'),
        pending: n('pending at that time'),
        oldest_pending_age_ms: n('age of the oldest pending record'),
        in_per_s: n('received per second since the previous sample'),
        out_per_s: n('written per second since the previous sample'),
        failed_per_s: n('discarded or dead-lettered per second since the previous sample'),
      }),
    ),
  },
  { description: 'samples oldest first' },
);

export function v1HistoryRoutes(server: FastifyInstance, service: ConnectorService): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/connectors/:name/history',
    {
      schema: {
        operationId: 'getConnectorHistory',
        summary: 'Rates and pending of the last hour, sampled every 5 s (in memory)',
        params: NameParams,
        querystring: HistoryQuery,
        tags: ['runtime'],
        response: { 200: HistorySchema, ...errorResponses({ params: true, query: true, extra: [409] }) },
      },
    },
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
