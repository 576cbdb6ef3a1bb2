// The `sluice` command.
import { Command } from 'commander';
import { settingsFromEnv } from '../../settings.js';
import { startService, stopOnSignals } from '../../serve.js';

const program = new Command();
program.name('sluice').description('MQTT-to-everything connector service').version('0.1.0');

program
  .command('serve')
  .description('start Sluice: admin API, definition store and runtime')
  .option('--db <path>', 'SQLite file for definitions and journals (env SLUICE_DB)')
  .option('--host <host>', 'admin API listen address (env SLUICE_HOST)')
  .option('--port <port>', 'admin API port (env SLUICE_PORT)', (v) => Number(v))
  .option('--mqtt-url <url>', 'source MQTT broker; none = embedded broker (env SLUICE_MQTT_URL)')
  .action(async (opts: { db?: string; host?: string; port?: number; mqttUrl?: string }) => {
    const settings = settingsFromEnv(process.env, { dbPath: opts.db, host: opts.host, port: opts.port, mqttUrl: opts.mqttUrl });
    const running = await startService(settings);
    stopOnSignals(running);
  });

await program.parseAsync(process.argv);
