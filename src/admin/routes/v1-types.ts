// /api/v1/connector-types: every type with its JSON Schema, and config validation without storing.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { SluiceError, validationError } from '../../errors.js';
import { checkConfig, parseConfigInput } from '../../metadata/config-validation.js';
import type { ConnectorType } from '../../metadata/connector-type.js';
import { DeliverySchema } from '../../metadata/delivery.js';
import { inFlightOf } from '../../metadata/in-flight.js';
import { FailureStrategySchema } from '../../metadata/failure-strategy.js';
import { connectorTypes, parseConnectorType } from '../../metadata/registry.js';
import { openSink } from '../../metadata/open-sink.js';
import { redactConfig, referenceErrors, secretFields } from '../../metadata/secrets.js';
import { wireSchema } from '../../metadata/wire-schema.js';
import { ConnectorTypeSchema, errorResponses, ValidateAnswerSchema } from './responses.js';
import { TypeParams, ValidateBody } from './schemas.js';

function describeType(t: ConnectorType) {
  return { name: t.name, title: t.title, description: t.description, secret_fields: secretFields(t.schema), runtime_available: t.loadSink !== undefined, max_in_flight: inFlightOf(t), schema: wireSchema(t.schema) };
}

async function probe(t: ConnectorType, config: Record<string, unknown>): Promise<void> {
  if (!t.loadSink) throw new SluiceError('CONNECTIVITY_FAILED', `connector type ${t.name} has no sink in this version; only its config can be validated`);
  const sink = await openSink(t, config, { tenant: 'default', connectorName: `validate-${t.name}`, log: () => undefined });
  try {
    await sink.validate();
  } catch (e) {
    throw new SluiceError('CONNECTIVITY_FAILED', `${t.name}: ${(e as Error).message}`);
  } finally {
    await sink.cleanup().catch(() => undefined);
  }
}

export function v1TypeRoutes(server: FastifyInstance): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['connector-types'];
  app.get(
    '/api/v1/connector-types',
    { schema: { operationId: 'listConnectorTypes', summary: 'List the connector types with their config schemas', tags, response: {
          200: Type.Object(
            {
              items: Type.Array(ConnectorTypeSchema),
              failure_strategy_schema: Type.Unknown({ description: 'JSON Schema of failure_strategy' }),
              delivery_schema: Type.Unknown({ description: 'JSON Schema of delivery' }),
            },
            { description: 'every registered type, and the schemas of the settings every connector has' },
          ),
          ...errorResponses({}),
        } } },
    async () => ({ items: connectorTypes().map(describeType), failure_strategy_schema: FailureStrategySchema, delivery_schema: DeliverySchema }),
  );

  app.get(
    '/api/v1/connector-types/:type',
    { schema: { operationId: 'getConnectorType', summary: 'Read one connector type (case-insensitive)', params: TypeParams, tags, response: { 200: { ...ConnectorTypeSchema, description: 'the type' }, ...errorResponses({ params: true }) } } },
    async (req) => describeType(parseConnectorType(req.params.type, 'type')),
  );

  app.post(
    '/api/v1/connector-types/:type/validate',
    {
      schema: {
        operationId: 'validateConfig',
        summary: 'Check a config without storing it; probe: also try to reach the target',
        params: TypeParams,
        body: ValidateBody,
        tags,
        response: { 200: { ...ValidateAnswerSchema, description: 'the config is valid (and the target answered, when probed)' }, ...errorResponses({ params: true, body: true, extra: [422] }) },
      },
    },
    async (req) => {
      const t = parseConnectorType(req.params.type, 'type');
      const body = req.body;
      const parsed = parseConfigInput(body.config);
      if (!parsed.value) throw parsed.invalidJson ? new SluiceError('INVALID_JSON', validationError(parsed.errors).message, parsed.errors) : validationError(parsed.errors);
      const checked = checkConfig(t, parsed.value);
      if (!checked.config) throw validationError(checked.errors);
      const refused = referenceErrors(t.schema, checked.config);
      if (refused.length > 0) throw validationError(refused);
      if (body.probe) await probe(t, checked.config);
      return { valid: true as const, probed: body.probe, config: redactConfig(t.schema, checked.config) };
    },
  );
}
