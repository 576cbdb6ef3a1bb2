// `sluice connector list|get|create|update|delete`: definitions through /api/v1/connectors.
import { type Command, Option } from 'commander';
import type { ConnectorPage, ConnectorView } from './api-types.js';
import { type ClientFlags, clientCommand, clientOf, connectorPath, tenantOf } from './client-options.js';
import { createBody, type DefinitionFlags, patchBody, replaceBody, STRATEGIES } from './connector-body.js';
import { parsePositiveInt } from './input.js';
import { printJson, printOut, renderTable, renderYaml } from './output.js';
import { UsageError } from './cli-errors.js';
import { withFieldHints } from './field-hints.js';
import { registerStatusCommands } from './status-commands.js';
import { registerTransformTestCommand } from './transform-test-command.js';
import { registerValidateCommand } from './validate-command.js';
import { waitUntilRunning } from './wait-running.js';

interface ListFlags extends ClientFlags {
  name?: string;
  type?: string;
  limit?: number;
  page?: number;
  sort?: string;
  order?: string;
}

type WriteFlags = ClientFlags & DefinitionFlags & { wait?: boolean; waitTimeout?: number };

function listFooter(page: ConnectorPage, shown: number): string | undefined {
  if (shown === 0) return page.total > 0 ? `no connectors on page ${page.page} (${page.total} in all)` : 'no connectors';
  if (page.total <= shown) return undefined;
  const first = (page.page - 1) * page.limit + 1;
  return `connectors ${first}–${first + shown - 1} of ${page.total}; --page ${page.page + 1} shows more`;
}

async function list(flags: ListFlags): Promise<void> {
  const client = clientOf(flags);
  const page = await client.get<ConnectorPage>('/api/v1/connectors', {
    tenant: flags.tenant,
    name: flags.name,
    type: flags.type,
    limit: flags.limit,
    page: flags.page,
    sort: flags.sort,
    order: flags.order,
  });
  if (flags.json) return printJson(page);
  const columns = [{ header: 'TENANT' }, { header: 'NAME' }, { header: 'TYPE' }, { header: 'TOPIC', max: 48 }, { header: 'STATE' }, { header: 'DESIRED' }, { header: 'REVISION' }, { header: 'UPDATED' }];
  const rows = page.items.map((c) => [c.tenant, c.name, c.type, c.topic_filter, c.state ?? '-', c.desired_state, c.revision, c.updated_at]);
  if (rows.length > 0) printOut(renderTable(columns, rows));
  const footer = listFooter(page, rows.length);
  if (footer) printOut(footer);
}

function printView(view: ConnectorView, flags: ClientFlags): void {
  if (flags.json) printJson(view);
  else printOut(renderYaml(view));
}

async function get(name: string, flags: ClientFlags): Promise<void> {
  const view = await clientOf(flags).get<ConnectorView>(connectorPath(name), { tenant: tenantOf(flags) });
  printView(view, flags);
}

async function create(flags: WriteFlags): Promise<void> {
  if (flags.wait && flags.paused) throw new UsageError('--wait and --paused exclude each other: a paused connector does not start');
  const client = clientOf(flags);
  const body = createBody(flags);
  const view = await client.request<ConnectorView>('POST', '/api/v1/connectors', { body }).catch(async (e: unknown) => {
    throw await withFieldHints(e, client, body);
  });
  if (!flags.wait) {
    if (flags.json) return printJson(view);
    return printOut(`created connector ${view.tenant}/${view.name} (${view.type}, revision ${view.revision})`);
  }
  if (!flags.json) printOut(`created connector ${view.tenant}/${view.name} (${view.type}, revision ${view.revision}); waiting until it runs`);
  const status = await waitUntilRunning(client, view.tenant, view.name, (flags.waitTimeout ?? 30) * 1000);
  if (flags.json) return printJson(view);
  printOut(`connector ${status.tenant}/${status.name} is running`);
}

async function update(name: string, flags: WriteFlags): Promise<void> {
  const client = clientOf(flags);
  const path = connectorPath(name);
  const query = { tenant: tenantOf(flags) };
  const body = flags.file !== undefined ? replaceBody({ ...flags, file: flags.file, tenant: undefined }) : patchBody(flags);
  const view = await client.request<ConnectorView>(flags.file !== undefined ? 'PUT' : 'PATCH', path, { query, body }).catch(async (e: unknown) => {
    // a PATCH names no type: the hints for config fields need the stored one
    const type = body.type ?? (await client.get<ConnectorView>(path, query).then((v) => v.type, () => undefined));
    throw await withFieldHints(e, client, { ...body, type });
  });
  if (flags.json) return printJson(view);
  printOut(`updated connector ${view.tenant}/${view.name} (revision ${view.revision})`);
}

async function remove(name: string, flags: ClientFlags): Promise<void> {
  const tenant = tenantOf(flags);
  await clientOf(flags).request<undefined>('DELETE', connectorPath(name), { query: { tenant } });
  if (!flags.json) printOut(`deleted connector ${tenant}/${name}`);
}

/** The flags shared by create and update; the server checks every value. */
function definitionOptions(cmd: Command): Command {
  return cmd
    .option('-f, --file <file>', 'request body from a .json, .yaml or .yml file (- = stdin); flags given beside it override its fields')
    .option('--type <type>', 'connector type (see `sluice types`)')
    .option('--topic <filter>', 'MQTT topic filter, e.g. sensors/+/temp or $share/g/sensors/#')
    .option('--config <json>', 'config as a JSON object; its keys override those of the file (update: merged into the stored config, null removes a key)')
    .option('--transform <json>', 'transform as a JSON object, e.g. \'{"filter":"payload.temp > 30"}\' (see docs/en/transforms.md); update: null removes it')
    .addOption(new Option('--strategy <strategy>', 'failure strategy').choices([...STRATEGIES]))
    .option('--retries <n>', 'retries before giving up (discard_after_retry, dead_message_queue)', parsePositiveInt)
    .option('--wait-ms <ms>', 'wait between retries, in ms', parsePositiveInt)
    .option('--dlq-topic <topic>', 'MQTT topic for dead letters (dead_message_queue)')
    .option('--description <text>', 'free text')
    .option('--paused', 'desired state paused: stored but not started')
    .option('--running', 'desired state running');
}

export function registerConnectorCommands(program: Command): void {
  const connector = program.command('connector').description('manage connectors: one MQTT topic filter bound to one sink');

  clientCommand(connector, 'list', 'list connectors', { tenant: true })
    .option('--name <text>', 'only names containing this text')
    .option('--type <type>', 'only this connector type')
    .option('--limit <n>', 'connectors per page (1–1000, server default 100)', parsePositiveInt)
    .option('--page <n>', 'page number, from 1', parsePositiveInt)
    .addOption(new Option('--sort <field>', 'sort by').choices(['name', 'tenant', 'type', 'created_at', 'updated_at']))
    .addOption(new Option('--order <order>', 'sort order').choices(['asc', 'desc']))
    .action((flags: ListFlags) => list(flags));

  clientCommand(connector, 'get <name>', 'show one connector (secrets show as ******)', { tenant: true }).action((name: string, flags: ClientFlags) => get(name, flags));

  definitionOptions(clientCommand(connector, 'create', 'create a connector from flags or from a file', { tenant: true }))
    .option('--name <name>', 'connector name: 1–128 of A-Z a-z 0-9 _ . -, not . or ..')
    .option('--wait', 'wait until the connector runs; exit 1 with its last error when it does not within --wait-timeout')
    .option('--wait-timeout <seconds>', 'how long --wait waits (default 30)', parsePositiveInt)
    .action((flags: WriteFlags) => create(flags));

  definitionOptions(clientCommand(connector, 'update <name>', 'change a connector: -f <file> replaces it (PUT), flags change only the given fields (PATCH)', { tenant: true }))
    .option('--revision <n>', 'refuse (409) unless the stored revision is this one', parsePositiveInt)
    .action((name: string, flags: WriteFlags) => update(name, flags));

  clientCommand(connector, 'delete <name>', 'delete a connector', { tenant: true }).action((name: string, flags: ClientFlags) => remove(name, flags));

  registerValidateCommand(connector);
  registerTransformTestCommand(connector);
  registerStatusCommands(connector);
}
