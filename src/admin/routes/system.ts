// /health (always open), /ready (store and runtime usable), /openapi.json.
import type { FastifyInstance } from 'fastify';
import type { ConnectorService } from '../connector-service.js';

export function systemRoutes(app: FastifyInstance, service: ConnectorService): void {
  app.get('/health', { schema: { tags: ['system'] } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { tags: ['system'] } }, async (_req, reply) => {
    const store = service.store.healthy();
    const runtime = service.runtimePort();
    const runtimeReady = runtime ? runtime.ready() : true;
    const ready = store && runtimeReady;
    return reply.status(ready ? 200 : 503).send({ ready, store, runtime: runtime ? runtimeReady : 'not started' });
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
