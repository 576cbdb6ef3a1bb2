// The `sluice` command: `serve` runs the service; every other command is a client of its admin API.
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE, reportFailure } from './cli-errors.js';
import { addGlobalOptions } from './client-options.js';
import { parsePort } from './input.js';
import { registerApplyCommand } from './apply-command.js';
import { registerConnectorCommands } from './connector-commands.js';
import { registerExportCommand } from './export-command.js';
import { registerDlqCommands } from './dlq-commands.js';
import { registerJournalCommands } from './journal-commands.js';
import { registerTypesCommand } from './types-command.js';

const program = new Command();
program
  .name('sluice')
  .description('MQTT-to-everything connector service')
  .version('0.1.0')
  // usage errors exit 2 (see the catch below) instead of commander's 1
  .exitOverride()
  .configureOutput({
    // an unknown `--opt=value` is reported without its value: it may be a mistyped --token
    outputError: (text, write) => write(text.replace(/(unknown option '[^'=]*)=[^']*'/g, "$1=…'")),
  });
addGlobalOptions(program);

program
  .command('serve')
  .description('start Sluice: admin API, definition store and runtime')
  .option('--db <path>', 'SQLite file for definitions and journals (env SLUICE_DB)')
  .option('--host <host>', 'admin API listen address (env SLUICE_HOST)')
  .option('--port <port>', 'admin API port (env SLUICE_PORT)', parsePort)
  .option('--mqtt-url <url>', 'source MQTT broker; none = embedded broker (env SLUICE_MQTT_URL)')
  .option('--connectors <path>', 'connector definition file or directory, applied at start and on SIGHUP (env SLUICE_CONNECTORS)')
  .action(async (opts: { db?: string; host?: string; port?: number; mqttUrl?: string; connectors?: string }) => {
    // loaded here so that the client commands start without loading the server
    const { settingsFromEnv } = await import('../../settings.js');
    const { startService, stopOnSignals } = await import('../../serve.js');
    const { boundHeapGrowth } = await import('../../core/heap-growth.js');
    boundHeapGrowth();
    const settings = settingsFromEnv(process.env, { dbPath: opts.db, host: opts.host, port: opts.port, mqttUrl: opts.mqttUrl, connectorsPath: opts.connectors });
    let running;
    try {
      running = await startService(settings);
    } catch (e) {
      // what startService opened before failing (store, server) would keep the process alive
      process.exit(reportFailure(e));
    }
    stopOnSignals(running);
  });

registerConnectorCommands(program);
registerApplyCommand(program);
registerExportCommand(program);
registerDlqCommands(program);
registerJournalCommands(program);
registerTypesCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // commander has printed its own message for its errors; help and --version end with 0
  if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  else process.exitCode = reportFailure(e);
}
