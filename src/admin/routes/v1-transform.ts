// Trying a transform without a sink: on given messages, or on a connector's newest journaled
// records with its stored transform (or one given to try before storing it).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { SluiceError, validationError } from '../../errors.js';
import { parseTransform, type Transform } from '../../metadata/transform.js';
import { recordOf, type SampleMessage, tryTransform } from '../../core/transform/trial.js';
import type { ConnectorService } from '../connector-service.js';
import { component, errorResponses } from './responses.js';
import { NameParams, TenantQuery } from './schemas.js';

const Json = Type.Unknown();
const MAX_SAMPLES = 100;

export const SampleMessageSchema = component('SampleMessage', Type.Object(
  {
    topic: Type.String({ minLength: 1, maxLength: 65535 }),
    payload: Type.String({ maxLength: 1_048_576, description: 'UTF-8 text, or base64 with payload_encoding base64' }),
    payload_encoding: Type.Optional(Type.Enum(['utf8', 'base64'])),
    qos: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
    retain: Type.Optional(Type.Boolean()),
    timestamp: Type.Optional(Type.Integer({ minimum: 0, description: 'ms since the epoch (default: now)' })),
    user_properties: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]))),
  },
  { additionalProperties: false, description: 'A message as the transform would receive it.' },
));

const Trial = Type.Object({
  input: SampleMessageSchema,
  outcome: Type.Enum(['sent', 'filtered', 'failed']),
  output: Type.Array(SampleMessageSchema, { description: 'what the sink would receive' }),
  error: Type.Optional(Type.String()),
});
const TrialAnswer = Type.Object({ results: Type.Array(Trial) });
const TransformBody = Type.Record(Type.String(), Json, { description: 'a transform (see Transform)' });

const AnyBody = Type.Object(
  { transform: TransformBody, messages: Type.Array(SampleMessageSchema, { minItems: 1, maxItems: MAX_SAMPLES }) },
  { additionalProperties: false },
);
const ConnectorBody = Type.Object(
  {
    transform: Type.Optional(TransformBody),
    messages: Type.Optional(Type.Array(SampleMessageSchema, { minItems: 1, maxItems: MAX_SAMPLES })),
    last: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SAMPLES, description: 'without messages: try the newest N records of the connector\'s journal (default 10)' })),
  },
  { additionalProperties: false, 'x-body-optional': true },
);

function checked(input: unknown): Transform {
  const t = parseTransform(input ?? {});
  if (t.errors.length > 0) throw validationError(t.errors);
  // an empty transform sends every record as it is
  return t.value ?? (parseTransform({ filter: 'true' }).value as Transform);
}

type SampleInput = Omit<Partial<SampleMessage>, 'qos'> & { topic: string; payload: string; qos?: number };

const records = (messages: readonly SampleInput[]): ReturnType<typeof recordOf>[] => {
  const now = Date.now();
  return messages.map((m, i) => recordOf({ ...m, qos: (m.qos ?? 1) as SampleMessage['qos'] }, i, now));
};

export function v1TransformRoutes(server: FastifyInstance, service: ConnectorService): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['transforms'];

  app.post(
    '/api/v1/transform/test',
    { schema: { operationId: 'testTransform', summary: 'Run a transform on sample messages (nothing is written)', tags, body: AnyBody, response: { 200: { ...TrialAnswer, description: 'each message beside what it becomes' }, ...errorResponses({ body: true }) } } },
    async (req) => ({ results: await tryTransform(checked(req.body.transform), records(req.body.messages)) }),
  );

  app.post(
    '/api/v1/connectors/:name/transform/test',
    { schema: { operationId: 'testConnectorTransform', summary: "Run a connector's transform (or one to try) on sample messages or its newest journaled records (nothing is written)", tags, params: NameParams, querystring: TenantQuery, body: ConnectorBody, response: { 200: { ...TrialAnswer, description: 'each message beside what it becomes' }, ...errorResponses({ params: true, body: true, extra: [409] }) } } },
    async (req) => {
      const tenant = req.query.tenant ?? 'default';
      const def = await service.definition(tenant, req.params.name);
      const t = req.body?.transform !== undefined ? checked(req.body.transform) : checked(def.transform);
      if (req.body?.messages) return { results: await tryTransform(t, records(req.body.messages)) };
      const recent = service.runtimePort()?.recentRecords?.(tenant, def.name, req.body?.last ?? 10);
      if (!recent) throw new SluiceError('NOT_RUNNING', `connector ${tenant}/${def.name} is not loaded in the runtime: give messages to try the transform on`);
      return { results: await tryTransform(t, recent) };
    },
  );
}
