// `sluice serve`: opens the stores, starts the source broker connection (or the embedded broker),
// the runtime and the admin API; stops cleanly on SIGTERM/SIGINT (in-flight batches finish).
import type { FastifyInstance } from 'fastify';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConnectorService } from './admin/connector-service.js';
import { buildServer } from './admin/server.js';
import { MqttDeadLetterPublisher } from './core/dlq-publisher.js';
import { instanceDeadLetterClientId } from './core/client-identity.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './core/embedded-broker.js';
import { Journal } from './core/journal.js';
import { prettyLogStream, usePrettyLogs } from './core/pretty-log.js';
import { ConnectorManager } from './core/manager.js';
import type { BrokerSettings } from './core/mqtt-source.js';
import { acquireDataLock } from './metadata/data-lock.js';
import { openExplained, refuseDamaged } from './metadata/database-file.js';
import { maskUrl } from './metadata/secret-masking.js';
import { fileRootFromEnv } from './metadata/file-root.js';
import { SecretSealer, secretKeysFromEnv } from './metadata/secrets-at-rest.js';
import { SqliteDefinitionStore } from './metadata/sqlite-store.js';
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
  const files = [
    { path: settings.dbPath, setting: 'SLUICE_DB' },
    { path: settings.journalPath, setting: 'SLUICE_JOURNAL_DB' },
  ] as const;
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
  const store = openExplained(settings.dbPath, 'SLUICE_DB', () => new SqliteDefinitionStore(settings.dbPath, sealer));
  undo.push(() => store.close());
  // before anything reads a definition: every secret under the current key, or a refusal naming the key
  const resealed = store.sealAll();
  const journal = openExplained(settings.journalPath, 'SLUICE_JOURNAL_DB', () => new Journal(settings.journalPath));
  undo.push(() => journal.close());
  const dlqClientId = instanceDeadLetterClientId(journal.db, settings.mqttClientIdPrefix);
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
    clientIdPrefix: settings.mqttClientIdPrefix,
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
  const dlq = new MqttDeadLetterPublisher(broker, dlqClientId);
  const manager = new ConnectorManager({ store, journal, broker, dlq, log: app.log });
  undo.push(() => manager.shutdown());
  service.attachRuntime(manager);
  await manager.start();
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
  app.log.info({ db: settings.dbPath, journal: settings.journalPath, broker: maskUrl(broker.url), embedded_broker: Boolean(embedded), auth: settings.apiToken ? 'bearer' : 'none', tls: Boolean(adminTls), secret_env: settings.secretEnv ?? '', secret_dir: settings.secretDir ?? '', secrets_at_rest: sealer.keys.current ? `aes-256-gcm key ${sealer.keys.current.id}` : 'plain', secrets_resealed: resealed, file_root: fileRootFromEnv() ?? '' }, `Sluice admin API listening on ${address}`);
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
      await app.close();
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
