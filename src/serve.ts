// `sluice serve`: opens the store, starts the admin API (and the runtime), stops cleanly on SIGTERM/SIGINT.
import type { FastifyInstance } from 'fastify';
import { ConnectorService } from './admin/connector-service.js';
import { buildServer } from './admin/server.js';
import { SqliteDefinitionStore } from './metadata/sqlite-store.js';
import type { Settings } from './settings.js';

export interface RunningService {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

export async function startService(settings: Settings): Promise<RunningService> {
  const store = new SqliteDefinitionStore(settings.dbPath);
  const service = new ConnectorService(store);
  const app = await buildServer({ service, apiToken: settings.apiToken, bodyLimit: settings.bodyLimit, logLevel: settings.logLevel });
  const address = await app.listen({ host: settings.host, port: settings.port });
  app.log.info({ db: settings.dbPath, auth: settings.apiToken ? 'bearer' : 'none' }, `Sluice admin API listening on ${address}`);
  let stopped = false;
  return {
    app,
    url: address,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await store.close();
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
}
