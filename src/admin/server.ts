// Builds the admin HTTP server: both API surfaces, errors, auth, OpenAPI.
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { connectorTypes } from '../metadata/registry.js';
import { DeliverySchema } from '../metadata/delivery.js';
import { FailureStrategySchema } from '../metadata/failure-strategy.js';
import { installBearerAuth } from './auth.js';
import type { ConnectorService } from './connector-service.js';
import { installErrorHandling } from './error-handler.js';
import { robustmqRoutes } from './routes/robustmq.js';
import { systemRoutes } from './routes/system.js';
import { v1ConnectorRoutes } from './routes/v1-connectors.js';
import { v1RuntimeRoutes } from './routes/v1-runtime.js';
import { v1TypeRoutes } from './routes/v1-types.js';
import { validatorCompiler } from './validator.js';

export interface ServerOptions {
  service: ConnectorService;
  /** when set, every route but /health needs `Authorization: Bearer <token>` */
  apiToken?: string;
  /** largest accepted request body, bytes */
  bodyLimit?: number;
  logLevel?: string;
  /** extra routes (the core adds status, metrics, dead letters) */
  plugins?: ((app: FastifyInstance) => void)[];
}

export const DEFAULT_BODY_LIMIT = 1_048_576;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    logger: {
      level: opts.logLevel ?? 'info',
      redact: { paths: ['req.headers.authorization'], censor: '******' },
    },
    ajv: { customOptions: { strict: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  // bodies are JSON only: without this, fastify's default text/plain parser hands a string to the routes
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);
  installBearerAuth(app, opts.apiToken);

  const configSchemas = Object.fromEntries(connectorTypes().map((t) => [`config.${t.name}`, { ...t.schema, title: `${t.title} config` }]));
  await app.register(swagger, {
    openapi: {
      info: { title: 'Sluice admin API', version: '1' },
      components: {
        schemas: { FailureStrategy: FailureStrategySchema, Delivery: DeliverySchema, ...configSchemas } as unknown as Record<string, never>,
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: opts.apiToken ? [{ bearer: [] }] : [],
    },
  });

  systemRoutes(app, opts.service);
  robustmqRoutes(app, opts.service);
  v1ConnectorRoutes(app, opts.service);
  v1TypeRoutes(app);
  v1RuntimeRoutes(app, opts.service);
  for (const p of opts.plugins ?? []) p(app);
  await app.ready();
  return app;
}
