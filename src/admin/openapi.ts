// The OpenAPI 3.1 document (/openapi.json) and the API reference page (/docs) built from the
// routes' own TypeBox schemas: components for the shared shapes, each config schema as clients
// must send it (fields with a default are optional).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import { DeliverySchema } from '../metadata/delivery.js';
import { FailureStrategySchema } from '../metadata/failure-strategy.js';
import { TransformSchema } from '../metadata/transform.js';
import { SampleMessageSchema } from './routes/v1-transform.js';
import { connectorTypes } from '../metadata/registry.js';
import { wireSchema } from '../metadata/wire-schema.js';
import { ConnectorStatusSchema, ConnectorTypeSchema, ConnectorViewSchema, DeadLetterSchema, ErrorSchema } from './routes/responses.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Plain JSON (TypeBox's symbol keys dropped), the component marker removed at the top. */
function plain(schema: TSchema): Json {
  const { 'x-component': _marker, ...rest } = JSON.parse(JSON.stringify(schema)) as Json;
  return rest;
}

/** Every node marked `x-component: Name` becomes a `$ref` to that component (keeping its description). */
function replaceMarked(node: unknown, top = true): unknown {
  if (Array.isArray(node)) return node.map((n) => replaceMarked(n, false));
  if (!isObject(node)) return node;
  if (!top && typeof node['x-component'] === 'string') {
    const ref: Json = { $ref: `#/components/schemas/${node['x-component']}` };
    return typeof node.description === 'string' ? { ...ref, description: node.description } : ref;
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replaceMarked(v, false)]));
}

/** The document's components: the shared shapes and one `config.<type>` per registered type. */
export function componentSchemas(): Record<string, Json> {
  const configs = Object.fromEntries(connectorTypes().map((t) => [`config.${t.name}`, { ...wireSchema(t.schema), title: `${t.title} config` }]));
  // every strategy field has a default, but a given failure_strategy must name its strategy
  const strategy = wireSchema(FailureStrategySchema);
  const props = strategy.properties as Record<string, Json>;
  const { default: _discard, ...strategyField } = props.strategy ?? {};
  strategy.properties = { ...props, strategy: { ...strategyField, description: `${String(strategyField.description ?? '')} Required in a given failure_strategy; without one, discard.`.trim() } };
  strategy.required = ['strategy'];
  const components: Record<string, Json> = {
    Error: plain(ErrorSchema),
    FailureStrategy: strategy,
    Delivery: wireSchema(DeliverySchema),
    Connector: plain(ConnectorViewSchema),
    ConnectorStatus: plain(ConnectorStatusSchema),
    ConnectorType: plain(ConnectorTypeSchema),
    DeadLetter: plain(DeadLetterSchema),
    Transform: wireSchema(TransformSchema),
    SampleMessage: plain(SampleMessageSchema),
    ConfigInput: {
      description: "The type's config (the `config.<type>` component of the connector's type), or, as RobustMQ sends it, a string holding that JSON object.",
      anyOf: [...connectorTypes().map((t) => ({ $ref: `#/components/schemas/config.${t.name}` })), { type: 'string', maxLength: 1_048_576, description: 'a JSON object, as a string' }],
    },
    ...configs,
  };
  return Object.fromEntries(Object.entries(components).map(([k, v]) => [k, replaceMarked(v, true) as Json]));
}

export async function registerOpenApi(app: FastifyInstance, opts: { bearer: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Sluice admin API',
        version: '1',
        description: 'Manage MQTT-to-everything connectors: definitions, runtime state, dead letters. Every error has one body: `Error`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'this server' }],
      tags: [
        { name: 'connectors', description: 'connector definitions (/api/v1)' },
        { name: 'runtime', description: 'live status, pause/resume/restart, dead letters' },
        { name: 'connector-types', description: 'the registered connector types and config validation' },
        { name: 'transforms', description: 'try a transform on sample messages without writing anything' },
        { name: 'robustmq', description: 'the RobustMQ-compatible surface (/api/cluster/connector/*)' },
        { name: 'system', description: 'health, readiness, Prometheus metrics' },
      ],
      components: {
        schemas: componentSchemas() as Record<string, never>,
        ...(opts.bearer ? { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer', description: 'SLUICE_API_TOKEN of the server' } } } : {}),
      },
      security: opts.bearer ? [{ bearer: [] }] : [],
    },
    transformObject: (doc) => replaceMarked((doc as { openapiObject: unknown }).openapiObject) as never,
  });
  // the reference page ships its assets in the package: it works with no network
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true, tryItOutEnabled: false }, staticCSP: true });
}
