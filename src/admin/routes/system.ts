// /health (always open), /ready (store and runtime usable), /openapi.json.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { ConnectorService } from '../connector-service.js';
import { errorResponses } from './responses.js';

const Ready = Type.Object({
  ready: Type.Boolean(),
  store: Type.Boolean(),
  runtime: Type.Union([Type.Boolean(), Type.Literal('not started')]),
  reasons: Type.Optional(Type.Array(Type.String(), { description: 'why not ready, e.g. `journal /data/journal.db cannot take writes: disk full (SQLITE_FULL)`' })),
});

export function systemRoutes(server: FastifyInstance, service: ConnectorService): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['system'];
  app.get(
    '/health',
    { schema: { operationId: 'health', summary: 'Liveness: the process answers (never needs a token)', tags, security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }, { description: 'alive' }), 404: errorResponses({})[404], 500: errorResponses({})[500] } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        operationId: 'ready',
        summary: 'Readiness: the store and the runtime are usable',
        tags,
        response: { 200: { ...Ready, description: 'ready' }, ...errorResponses({}), 503: { ...Ready, description: 'not ready: the body says which part is not' } },
      },
    },
    async (_req, reply) => {
      const store = service.store.healthy();
      const runtime = service.runtimePort();
      const runtimeReady = runtime ? runtime.ready() : true;
      const ready = store && runtimeReady;
      const reasons = [...(store ? [] : ['the definition store does not answer']), ...(runtime?.notReadyReasons?.() ?? [])];
      return reply.status(ready ? 200 : 503).send({ ready, store, runtime: runtime ? runtimeReady : ('not started' as const), ...(ready ? {} : { reasons }) });
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
