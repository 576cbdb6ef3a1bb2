// `sluice apply -f FILE|DIR …`: creates and updates connectors to match definition files;
// `--prune` deletes those the files do not name; `--dry-run` only prints what would change.
import type { Command } from 'commander';
import { DefinitionFileError, readDefinitions, type FileDefinition } from '../../metadata/definition-files.js';
import type { ConnectorPage, ConnectorTypeInfo, ConnectorView, JsonSchema } from './api-types.js';
import { failureLines, ServerError, UsageError } from './cli-errors.js';
import { type ClientFlags, clientCommand, clientOf, connectorPath } from './client-options.js';
import { withFieldHints } from './field-hints.js';
import type { ApiClient } from './http-client.js';
import { maskedPaths, plan, type PlanItem, type Schemas } from './apply-plan.js';
import { printJson, printOut } from './output.js';

interface ApplyFlags extends ClientFlags {
  file: string[];
  prune?: boolean;
  dryRun?: boolean;
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const PAGE = 1000;

export async function allConnectors(client: ApiClient, tenant?: string): Promise<ConnectorView[]> {
  const items: ConnectorView[] = [];
  for (let page = 1; ; page++) {
    const r = await client.get<ConnectorPage>('/api/v1/connectors', { tenant, limit: PAGE, page, sort: 'name' });
    items.push(...r.items);
    if (r.items.length < PAGE || items.length >= r.total) return items;
  }
}

async function schemasOf(client: ApiClient): Promise<Schemas> {
  const [doc, types] = await Promise.all([client.get<OpenApiDoc>('/openapi.json'), client.get<{ items: ConnectorTypeInfo[] }>('/api/v1/connector-types')]);
  return {
    definition: doc.paths?.['/api/v1/connectors']?.post?.requestBody?.content?.['application/json']?.schema,
    components: doc.components?.schemas ?? {},
    types: types.items,
  };
}

function readFiles(paths: string[]): FileDefinition[] {
  try {
    return readDefinitions(paths);
  } catch (e) {
    if (e instanceof DefinitionFileError) throw new UsageError(e.message);
    throw e;
  }
}

function describe(item: PlanItem, done: boolean): string {
  const verb = { create: done ? 'created' : 'would create', update: done ? 'updated' : 'would update', unchanged: 'unchanged', delete: done ? 'deleted' : 'would delete' }[item.action];
  const changed = item.changed?.length ? ` (${item.changed.join(', ')})` : '';
  const from = item.source ? `  [${item.source}]` : '';
  return `${verb} ${item.tenant}/${item.name}${changed}${from}`;
}

async function execute(client: ApiClient, item: PlanItem): Promise<void> {
  const query = { tenant: item.tenant };
  const path = connectorPath(item.name);
  if (item.action === 'create') await client.request('POST', '/api/v1/connectors', { body: { ...item.body, tenant: item.tenant } });
  if (item.action === 'update') await client.request('PUT', path, { query, body: { ...item.body, tenant: item.tenant, revision: item.revision } });
  if (item.action === 'delete') await client.request('DELETE', path, { query });
}

async function apply(flags: ApplyFlags): Promise<void> {
  const files = readFiles(flags.file);
  if (files.length === 0) throw new UsageError(`-f ${flags.file.join(', ')}: no connector definitions found (a directory is read for *.yaml, *.yml and *.json files)`);
  const client = clientOf(flags);
  const [current, schemas] = await Promise.all([allConnectors(client), schemasOf(client)]);
  const items = plan(files, current, schemas, flags.prune === true);
  // `******` only keeps a stored secret; a new connector has none, so it would start without it
  const masked = items.filter((i) => i.action === 'create').flatMap((i) => maskedPaths(i.body).map((p) => `${i.source}: ${i.tenant}/${i.name} ${p} is ****** but the connector does not exist yet, so there is no stored secret to keep; write the secret or a \${env:SLUICE_SECRET_…} / \${file:…} reference`));
  if (masked.length > 0) throw new UsageError(masked.join('\n       '));
  if (flags.dryRun) {
    if (flags.json) return printJson({ dry_run: true, items: items.map(({ body: _b, ...rest }) => rest) });
    for (const item of items) printOut(describe(item, false));
    return printOut(summary(items, 'dry run, nothing changed'));
  }
  let failed = 0;
  const results: (Omit<PlanItem, 'body'> & { error?: string })[] = [];
  for (const item of items) {
    const { body: _b, ...shown } = item;
    try {
      await execute(client, item).catch(async (e: unknown) => {
        throw await withFieldHints(e, client, item.body);
      });
      results.push(shown);
      if (!flags.json) printOut(describe(item, true));
    } catch (e) {
      if (!(e instanceof ServerError)) throw e;
      failed++;
      const [first, ...rest] = failureLines(e);
      results.push({ ...shown, error: e.message });
      process.stderr.write(`${[`${first} (${item.action} ${item.tenant}/${item.name}${item.source ? ` from ${item.source}` : ''})`, ...rest].join('\n')}\n`);
    }
  }
  if (flags.json) printJson({ dry_run: false, items: results });
  else printOut(summary(items, failed ? `${failed} failed` : ''));
  if (failed) process.exitCode = 1;
}

function summary(items: PlanItem[], tail: string): string {
  const count = (a: PlanItem['action']) => items.filter((i) => i.action === a).length;
  const parts = [`${count('create')} to create`, `${count('update')} to update`, `${count('unchanged')} unchanged`, `${count('delete')} to delete`];
  return `apply: ${parts.join(', ')}${tail ? `; ${tail}` : ''}`;
}

export function registerApplyCommand(program: Command): void {
  clientCommand(program, 'apply', 'create and update connectors to match definition files (YAML or JSON, one or many per file)')
    .requiredOption('-f, --file <path...>', 'a definition file, or a directory of *.yaml, *.yml and *.json files (repeatable)')
    .option('--prune', 'also delete the connectors (of any tenant) that the files do not define')
    .option('--dry-run', 'print what would be created, updated or deleted, and change nothing')
    .action((flags: ApplyFlags) => apply(flags));
}
