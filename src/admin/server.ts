// Builds the admin HTTP server: both API surfaces, errors, auth, OpenAPI.
import Fastify, { type FastifyInstance } from 'fastify';
import { installBearerAuth } from './auth.js';
import { consoleRoutes } from './console.js';
import type { ConnectorService } from './connector-service.js';
import { frameworkErrors, installErrorHandling, MAX_PARAM_LENGTH } from './error-handler.js';
import { registerOpenApi } from './openapi.js';
import { robustmqRoutes } from './routes/robustmq.js';
import { systemRoutes } from './routes/system.js';
import { v1ConnectorRoutes } from './routes/v1-connectors.js';
import { v1HistoryRoutes } from './routes/v1-history.js';
import { v1RuntimeRoutes } from './routes/v1-runtime.js';
import { v1TransformRoutes } from './routes/v1-transform.js';
import { v1TypeRoutes } from './routes/v1-types.js';
import { validatorCompiler } from './validator.js';

export interface ServerOptions {
  service: ConnectorService;
  /** when set, every route but /health needs `Authorization: Bearer <token>` */
  apiToken?: string;
  /** largest accepted request body, bytes */
  bodyLimit?: number;
  logLevel?: string;
  /** where log lines go (default stdout, as JSON) */
  logStream?: NodeJS.WritableStream;
  /** serve HTTPS with this PEM certificate and key */
  tls?: { cert: string; key: string };
  /** longest time to receive a whole request, ms (slow-body clients are cut off); 0 = none */
  requestTimeoutMs?: number;
  /** an idle connection is closed after this many ms */
  connectionTimeoutMs?: number;
  /** most open connections at once; more are refused by the socket layer */
  maxConnections?: number;
  /** extra routes (the core adds status, metrics, dead letters) */
  plugins?: ((app: FastifyInstance) => void)[];
}

export const DEFAULT_BODY_LIMIT = 1_048_576;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 75_000;
export const DEFAULT_MAX_CONNECTIONS = 1024;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  // the https variant of the instance has a different server type; routes do not care which
  // Node checks request timeouts only every connectionsCheckingInterval (30 s by default)
  // and take the request timeout only at construction (fastify sets it afterwards, too late)
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const checking = { connectionsCheckingInterval: 1000, requestTimeout, headersTimeout: requestTimeout === 0 ? 60_000 : Math.min(60_000, requestTimeout) };
  const app = Fastify({
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key, ...checking } } : { http: checking }),
    requestTimeout,
    connectionTimeout: opts.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: Math.min(5000, opts.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS),
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    logger: {
      level: opts.logLevel ?? 'info',
      redact: { paths: ['req.headers.authorization'], censor: '******' },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    ajv: { customOptions: { strict: false } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
  }) as unknown as FastifyInstance;
  app.server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  app.setValidatorCompiler(validatorCompiler);
  // response schemas document the answers; they do not filter them (as fast-json-stringify would)
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // bodies are JSON only: without this, fastify's default text/plain parser hands a string to the routes
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);
  installBearerAuth(app, opts.apiToken);

  await registerOpenApi(app, { bearer: Boolean(opts.apiToken) });

  systemRoutes(app, opts.service);
  robustmqRoutes(app, opts.service);
  v1ConnectorRoutes(app, opts.service);
  v1TypeRoutes(app);
  v1RuntimeRoutes(app, opts.service);
  v1TransformRoutes(app, opts.service);
  v1HistoryRoutes(app, opts.service);
  consoleRoutes(app);
  for (const p of opts.plugins ?? []) p(app);
  await app.ready();
  return app;
}
