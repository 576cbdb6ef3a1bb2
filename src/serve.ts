// `sluice serve`: opens the stores, starts the source broker connection (or the embedded broker),
// the runtime and the admin API; stops cleanly on SIGTERM/SIGINT (in-flight batches finish).
import type { FastifyInstance } from 'fastify';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConnectorService } from './admin/connector-service.js';
import { buildServer } from './admin/server.js';
import { MqttDeadLetterPublisher } from './core/dlq-publisher.js';
import { instanceDeadLetterClientId, instanceId } from './core/client-identity.js';
import { FleetMember } from './core/fleet-member.js';
import { fleetSubscription } from './core/fleet-subscription.js';
import { FleetSync } from './core/fleet-sync.js';
import type { Logger } from './core/logger.js';
import { hostname } from 'node:os';
import { type EmbeddedBroker, startEmbeddedBroker } from './core/embedded-broker.js';
import { Journal } from './core/journal.js';
import { prettyLogStream, usePrettyLogs } from './core/pretty-log.js';
import { ConnectorManager } from './core/manager.js';
import type { BrokerSettings } from './core/mqtt-source.js';
import { acquireDataLock } from './metadata/data-lock.js';
import { type DbSetting, openExplained, refuseDamaged } from './metadata/database-file.js';
import { maskUrl } from './metadata/secret-masking.js';
import { fileRootFromEnv } from './metadata/file-root.js';
import { SecretSealer, secretKeysFromEnv } from './metadata/secrets-at-rest.js';
import { SqliteDefinitionStore } from './metadata/sqlite-store.js';
import { PostgresDefinitionStore } from './metadata/postgres-store.js';
import type { DefinitionStore, SharedDefinitionStore } from './metadata/store.js';
import { applyConnectorFiles, type FileApplyReport } from './connector-files.js';
import { listenExplained } from './listen-errors.js';
import { readAdminTls, readSourceTls, type Settings } from './settings.js';

export interface RunningService {
  app: FastifyInstance;
  url: string;
  brokerUrl: string;
  manager: ConnectorManager;
  /** applies the --connectors files again (SIGHUP); undefined without them */
  reloadConnectors?: () => Promise<FileApplyReport>;
  journal: Journal;
  stop(): Promise<void>;
}

export async function startService(settings: Settings): Promise<RunningService> {
  // whatever was opened is closed again when a later step fails (e.g. a port in use)
  const undo: (() => Promise<void> | void)[] = [];
  try {
    return await start(settings, undo);
  } catch (e) {
    for (const u of undo.reverse()) await Promise.resolve(u()).catch(() => undefined);
    throw e;
  }
}

async function start(settings: Settings, undo: (() => Promise<void> | void)[]): Promise<RunningService> {
  const tls = readSourceTls(settings); // before anything is opened: a wrong path fails at once
  const adminTls = readAdminTls(settings);
  const locks: (() => void)[] = [];
  if (settings.storeUrl && !settings.mqttUrl) {
    throw new Error('SLUICE_STORE_URL: a shared store is fleet mode, and a fleet needs one external broker to split the work (set SLUICE_MQTT_URL; the embedded broker serves one process only)');
  }
  // with a shared store the SQLite definitions file is not used at all
  const files: { path: string; setting: DbSetting }[] = [
    ...(settings.storeUrl ? [] : [{ path: settings.dbPath, setting: 'SLUICE_DB' as const }]),
    { path: settings.journalPath, setting: 'SLUICE_JOURNAL_DB' },
  ];
  // the lock comes first: a second instance must not even read what the first is writing
  for (const f of files) {
    if (f.path === ':memory:') continue;
    openExplained(f.path, f.setting, () => mkdirSync(dirname(f.path), { recursive: true }));
    const lock = openExplained(f.path, f.setting, () => acquireDataLock(f.path, f.setting));
    locks.push(() => lock.release());
    undo.push(() => lock.release());
  }
  for (const f of files) refuseDamaged(f.path, f.setting, settings.integrityCheck);
  const sealer = new SecretSealer(secretKeysFromEnv({ SLUICE_SECRET_KEY: settings.secretKey, SLUICE_SECRET_KEY_PREVIOUS: settings.secretKeyPrevious }));
  // the store opens before the logger exists: its change-feed warnings go to the logger once there is one
  const late: { log?: Logger } = {};
  const shared: SharedDefinitionStore | undefined = settings.storeUrl
    ? await PostgresDefinitionStore.open(settings.storeUrl, { sealer, onListenError: (m) => late.log?.warn({}, `fleet: the store's change feed: ${m}`) }).catch((e: unknown) => {
        throw new Error(`SLUICE_STORE_URL (${maskUrl(settings.storeUrl as string)}): ${(e as Error).message}`, { cause: e });
      })
    : undefined;
  const store: DefinitionStore & { sealAll(): number | Promise<number> } = (shared as PostgresDefinitionStore | undefined) ?? openExplained(settings.dbPath, 'SLUICE_DB', () => new SqliteDefinitionStore(settings.dbPath, sealer));
  undo.push(() => store.close());
  // before anything reads a definition: every secret under the current key, or a refusal naming the key
  const resealed = await store.sealAll();
  const journal = openExplained(settings.journalPath, 'SLUICE_JOURNAL_DB', () => new Journal(settings.journalPath));
  undo.push(() => journal.close());
  const dlqClientId = instanceDeadLetterClientId(journal.db, settings.mqttClientIdPrefix);
  const instance = instanceId(journal.db);
  let embedded: EmbeddedBroker | undefined;
  if (!settings.mqttUrl) {
    const target = { what: 'embedded MQTT broker', host: settings.embeddedBrokerHost, port: settings.embeddedBrokerPort, setting: 'SLUICE_EMBEDDED_BROKER_PORT', alternative: 'set SLUICE_MQTT_URL to use an external broker' };
    embedded = await listenExplained(target, () => startEmbeddedBroker(settings.embeddedBrokerHost, settings.embeddedBrokerPort, [dlqClientId]));
    undo.push(() => embedded?.close());
  }
  const broker: BrokerSettings = {
    url: settings.mqttUrl ?? (embedded as EmbeddedBroker).url,
    protocolVersion: embedded ? 4 : settings.mqttProtocol,
    username: settings.mqttUsername,
    password: settings.mqttPassword,
    // in a fleet every process has its own session per connector: the instance id tells them apart
    clientIdPrefix: shared ? `${settings.mqttClientIdPrefix}${instance.slice(0, 8)}/` : settings.mqttClientIdPrefix,
    sessionExpirySecs: settings.mqttSessionExpirySecs,
    receiveMaximum: settings.mqttReceiveMaximum,
    ...tls,
    rejectUnauthorized: !settings.mqttInsecure,
    embedded: embedded?.sessions,
  };
  const service = new ConnectorService(store);
  const logStream = usePrettyLogs(settings.logFormat, process.stdout.isTTY === true) ? prettyLogStream(process.stdout) : undefined;
  const app = await buildServer({ service, apiToken: settings.apiToken, bodyLimit: settings.bodyLimit, logLevel: settings.logLevel, logStream,
    tls: adminTls, requestTimeoutMs: settings.requestTimeoutMs, connectionTimeoutMs: settings.connectionTimeoutMs, maxConnections: settings.maxConnections,
  });
  undo.push(() => app.close());
  late.log = app.log;
  const dlq = new MqttDeadLetterPublisher(broker, dlqClientId);
  const manager = new ConnectorManager({ store, journal, broker, dlq, log: app.log, subscription: shared ? fleetSubscription(settings.shareGroup) : undefined });
  undo.push(() => manager.shutdown());
  service.attachRuntime(manager);
  await manager.start();
  let fleet: { member: FleetMember; sync: FleetSync } | undefined;
  if (shared) {
    const member = new FleetMember({ board: shared.fleet, instanceId: instance, instanceName: settings.instanceName ?? `${hostname()}/${instance.slice(0, 8)}`, heartbeatMs: settings.heartbeatMs, timeoutMs: settings.instanceTimeoutMs, statuses: () => manager.statuses(), log: app.log });
    const sync = new FleetSync(shared, manager, app.log);
    fleet = { member, sync };
    undo.push(() => member.stop());
    undo.push(() => sync.stop());
    // following the store from here; the resync covers what changed since manager.start read it
    await sync.start();
    await sync.resync();
    await member.start();
    manager.attachFleet(member);
  }
  const connectorFiles = settings.connectorsPath ? [settings.connectorsPath] : undefined;
  if (connectorFiles) {
    const report = await applyConnectorFiles(service, connectorFiles, app.log).catch((e: unknown) => {
      throw new Error(`--connectors / SLUICE_CONNECTORS: ${(e as Error).message}`, { cause: e });
    });
    if (report.failed.length > 0) throw new Error(`--connectors / SLUICE_CONNECTORS: ${report.failed.length} definition${report.failed.length === 1 ? '' : 's'} could not be applied:\n  ${report.failed.join('\n  ')}`);
  }
  // publishers are let in once every connector's session is attached
  embedded?.open();
  const adminTarget = { what: 'admin API', host: settings.host, port: settings.port, setting: 'SLUICE_PORT or --port' };
  const address = await listenExplained(adminTarget, () => app.listen({ host: settings.host, port: settings.port }));
  app.log.info({ db: settings.storeUrl ? maskUrl(settings.storeUrl) : settings.dbPath, ...(fleet ? { fleet_instance: fleet.member.instanceId, fleet_name: fleet.member.instanceName, share_group: settings.shareGroup } : {}), journal: settings.journalPath, broker: maskUrl(broker.url), embedded_broker: Boolean(embedded), auth: settings.apiToken ? 'bearer' : 'none', tls: Boolean(adminTls), secret_env: settings.secretEnv ?? '', secret_dir: settings.secretDir ?? '', secrets_at_rest: sealer.keys.current ? `aes-256-gcm key ${sealer.keys.current.id}` : 'plain', secrets_resealed: resealed, file_root: fileRootFromEnv() ?? '' }, `Sluice admin API listening on ${address}`);
  let stopped = false;
  return {
    app,
    url: address,
    brokerUrl: broker.url,
    manager,
    reloadConnectors: connectorFiles ? () => applyConnectorFiles(service, connectorFiles, app.log) : undefined,
    journal,
    async stop() {
      if (stopped) return;
      stopped = true;
      fleet?.sync.stop();
      await app.close();
      await fleet?.member.stop();
      await manager.shutdown();
      await journal.close();
      await store.close();
      await embedded?.close();
      for (const u of locks) u();
    },
  };
}

export function stopOnSignals(running: RunningService): void {
  const onSignal = (signal: NodeJS.Signals) => {
    running.app.log.info(`${signal} received, shutting down`);
    running
      .stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        running.app.log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const reload = running.reloadConnectors;
  if (reload) {
    // a file that does not parse is logged; the connectors keep running as they are
    process.on('SIGHUP', () => {
      running.app.log.info('SIGHUP received, applying the connector files again');
      reload().catch((e: unknown) => running.app.log.error(`connector files not applied: ${(e as Error).message}`));
    });
  }
}
