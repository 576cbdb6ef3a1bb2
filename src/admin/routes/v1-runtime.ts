// Runtime routes: status, pause/resume/restart, dead letters, Prometheus metrics.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { SluiceError } from '../../errors.js';
import type { ConnectorService } from '../connector-service.js';
import type { DeadLetterPort, RuntimePort } from '../../core/runtime-port.js';
import { ConnectorMetricsSchema, ConnectorStatusSchema, FleetInstancesSchema, DeadLetterPageSchema, DeadLetterSchema, errorResponses, PurgeSchema, ReplaySchema } from './responses.js';
import { NameParams, TenantQuery } from './schemas.js';

const PageQuery = Type.Object({
  tenant: TenantQuery.properties.tenant,
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
});
const DlParams = Type.Object({ name: NameParams.properties.name, id: Type.Integer({ minimum: 1 }) });
const IdsBody = Type.Object({ ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100_000 })) }, { additionalProperties: false, 'x-body-optional': true });

function runtimeOf(service: ConnectorService): RuntimePort {
  const rt = service.runtimePort();
  if (!rt) throw new SluiceError('SERVICE_UNAVAILABLE', 'the runtime is not started');
  return rt;
}

async function statusOf(service: ConnectorService, tenant: string, name: string) {
  const def = await service.definition(tenant, name);
  const s = runtimeOf(service).status(def.tenant, def.name);
  if (!s) throw new SluiceError('NOT_RUNNING', `connector ${tenant}/${name} is not loaded in the runtime`);
  return s;
}

async function dlqOf(service: ConnectorService, tenant: string, name: string): Promise<DeadLetterPort> {
  await service.definition(tenant, name);
  const port = runtimeOf(service).deadLetters(tenant, name);
  if (!port) throw new SluiceError('NOT_RUNNING', `connector ${tenant}/${name} is not loaded in the runtime`);
  return port;
}

const status = (description: string) => ({ ...ConnectorStatusSchema, description });
/** The runtime routes' errors: 404 no connector, 409 NOT_RUNNING, 503 no runtime. */
const runtimeErrors = (body = false) => errorResponses({ params: true, body, extra: [409] });

export function v1RuntimeRoutes(server: FastifyInstance, service: ConnectorService): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['runtime'];
  const named = { params: NameParams, querystring: TenantQuery, tags };

  app.get(
    '/api/v1/connectors/:name/status',
    { schema: { operationId: 'getConnectorStatus', summary: 'Live status and message accounting', ...named, response: { 200: status('the status'), ...runtimeErrors() } } },
    async (req) => {
      const tenant = req.query.tenant ?? 'default';
      const s = await statusOf(service, tenant, req.params.name);
      const fleet = await runtimeOf(service).fleetStatus?.(s.tenant, s.name);
      return fleet ? { ...s, fleet } : s;
    },
  );

  app.get(
    '/api/v1/fleet',
    { schema: { operationId: 'listFleetInstances', summary: 'Fleet mode: every Sluice process sharing this store, alive or gone', tags, response: { 200: { ...FleetInstancesSchema, description: 'the processes' }, ...errorResponses({ extra: [404] }) } } },
    async () => {
      const rt = runtimeOf(service);
      const instances = await rt.fleetInstances?.();
      if (!instances) throw new SluiceError('NOT_FOUND', 'this process is not in a fleet: it keeps its definitions in SQLite (set SLUICE_STORE_URL=postgres://… on every process to share them)');
      const self = instances.find((i) => i.self);
      return { instance_id: self?.id ?? '', instances };
    },
  );

  app.post(
    '/api/v1/connectors/:name/pause',
    { schema: { operationId: 'pauseConnector', summary: 'Pause: stop delivering until resumed (desired state paused)', ...named, response: { 200: status('the status once paused'), ...runtimeErrors() } } },
    async (req) => {
      const tenant = req.query.tenant ?? 'default';
      await service.setDesiredState(tenant, req.params.name, 'paused');
      await runtimeOf(service).settle(tenant, req.params.name);
      return statusOf(service, tenant, req.params.name);
    },
  );

  app.post(
    '/api/v1/connectors/:name/resume',
    { schema: { operationId: 'resumeConnector', summary: 'Resume a paused connector (desired state running)', ...named, response: { 200: status('the status once resumed'), ...runtimeErrors() } } },
    async (req) => {
      const tenant = req.query.tenant ?? 'default';
      await service.setDesiredState(tenant, req.params.name, 'running');
      await runtimeOf(service).settle(tenant, req.params.name);
      return statusOf(service, tenant, req.params.name);
    },
  );

  app.post(
    '/api/v1/connectors/:name/restart',
    { schema: { operationId: 'restartConnector', summary: 'Stop (draining the current batch) and start again', ...named, response: { 200: status('the status after the restart'), ...runtimeErrors() } } },
    async (req) => {
      const tenant = req.query.tenant ?? 'default';
      await service.definition(tenant, req.params.name);
      await runtimeOf(service).restart(tenant, req.params.name);
      return statusOf(service, tenant, req.params.name);
    },
  );

  app.get(
    '/api/v1/connectors/:name/metrics',
    { schema: { operationId: 'getConnectorMetrics', summary: 'The counters of one connector', ...named, response: { 200: { ...ConnectorMetricsSchema, description: 'the counters' }, ...runtimeErrors() } } },
    async (req) => {
      const s = await statusOf(service, req.query.tenant ?? 'default', req.params.name);
      const { tenant, name, type, state, received, written, discarded, discarded_total, dead_lettered, filtered, pending, retries, accounting_ok, oldest_pending_age_ms, journal_bytes } = s;
      return { tenant, name, type, state, received, written, discarded, discarded_total, dead_lettered, filtered, pending, retries, accounting_ok, oldest_pending_age_ms, journal_bytes };
    },
  );

  app.get(
    '/api/v1/connectors/:name/dead-letters',
    { schema: { operationId: 'listDeadLetters', summary: 'List dead letters (paged)', params: NameParams, querystring: PageQuery, tags, response: { 200: { ...DeadLetterPageSchema, description: 'one page of dead letters' }, ...runtimeErrors() } } },
    async (req) => {
      const port = await dlqOf(service, req.query.tenant ?? 'default', req.params.name);
      const r = port.list(req.query.limit, req.query.page);
      return { items: r.items, total: r.total, page: req.query.page, limit: req.query.limit };
    },
  );

  app.get(
    '/api/v1/connectors/:name/dead-letters/:id',
    { schema: { operationId: 'getDeadLetter', summary: 'Read one dead letter', params: DlParams, querystring: TenantQuery, tags, response: { 200: { ...DeadLetterSchema, description: 'the dead letter' }, ...runtimeErrors() } } },
    async (req) => {
      const port = await dlqOf(service, req.query.tenant ?? 'default', req.params.name);
      const item = port.get(req.params.id);
      if (!item) throw new SluiceError('NOT_FOUND', `dead letter ${req.params.id} of ${req.params.name} does not exist`);
      return item;
    },
  );

  app.post(
    '/api/v1/connectors/:name/dead-letters/replay',
    { schema: { operationId: 'replayDeadLetters', summary: 'Send dead letters (all, or the ids given) through the sink again', ...named, body: IdsBody, response: { 200: { ...ReplaySchema, description: 'how many were written and how many failed again' }, ...runtimeErrors(true) } } },
    async (req) => {
      const port = await dlqOf(service, req.query.tenant ?? 'default', req.params.name);
      return port.replay(req.body?.ids);
    },
  );

  app.delete(
    '/api/v1/connectors/:name/dead-letters',
    { schema: { operationId: 'purgeDeadLetters', summary: 'Delete dead letters (all, or the ids given)', ...named, body: IdsBody, response: { 200: { ...PurgeSchema, description: 'how many were deleted' }, ...runtimeErrors(true) } } },
    async (req) => {
      const port = await dlqOf(service, req.query.tenant ?? 'default', req.params.name);
      return { purged: port.purge(req.body?.ids) };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'prometheusMetrics',
        summary: 'Prometheus metrics of every connector',
        tags: ['system'],
        response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: Type.String() } } }, ...errorResponses({}) },
      },
    },
    async (_req, reply) => {
      const m = await runtimeOf(service).metrics();
      return reply.header('content-type', m.contentType).send(m.body);
    },
  );
}
