// `sluice dlq list|show|replay|purge`: a connector's dead letters through /api/v1/connectors/:name/dead-letters.
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { DeadLetter, DeadLetterPage, ReplayResult } from './api-types.js';
import { UsageError, printable } from './cli-errors.js';
import { type ClientFlags, clientCommand, clientOf, connectorPath, tenantOf } from './client-options.js';
import { collectIds, parsePositiveInt } from './input.js';
import { formatTime, printJson, printOut, renderBlock, renderTable } from './output.js';

interface ListFlags extends ClientFlags {
  limit?: number;
  page?: number;
}

interface IdFlags extends ClientFlags {
  id?: number[];
}

interface PurgeFlags extends IdFlags {
  yes?: boolean;
}

function payloadBytes(d: DeadLetter): number {
  return Buffer.byteLength(d.payload ?? '', d.payload_encoding === 'base64' ? 'base64' : 'utf8');
}

async function list(connector: string, flags: ListFlags): Promise<void> {
  const query = { tenant: tenantOf(flags), limit: flags.limit, page: flags.page };
  const page = await clientOf(flags).get<DeadLetterPage>(connectorPath(connector, '/dead-letters'), query);
  if (flags.json) return printJson(page);
  if (page.items.length === 0) return printOut(page.total > 0 ? `no dead letters on this page (${page.total} in all)` : 'no dead letters');
  const columns = [{ header: 'ID' }, { header: 'SOURCE TOPIC', max: 40 }, { header: 'RETRIES' }, { header: 'DEAD-LETTERED AT' }, { header: 'PAYLOAD' }, { header: 'ERROR', max: 80 }];
  const rows = page.items.map((d) => [d.id, d.source_topic, d.retry_times, formatTime(d.dead_letter_timestamp), `${payloadBytes(d)} B ${d.payload_encoding}`, d.error_message]);
  printOut(renderTable(columns, rows));
  if (page.total > page.items.length) printOut(`${page.items.length} of ${page.total} dead letters; use --page and --limit for more`);
}

async function show(connector: string, id: number, flags: ClientFlags): Promise<void> {
  const path = connectorPath(connector, `/dead-letters/${id}`);
  const d = await clientOf(flags).get<DeadLetter>(path, { tenant: tenantOf(flags) });
  if (flags.json) return printJson(d);
  printOut(
    renderBlock([
      ['id', d.id],
      ['connector', d.connector_name],
      ['source topic', d.source_topic],
      ['error', d.error_message],
      ['retries', d.retry_times],
      ['received at', formatTime(d.original_timestamp)],
      ['dead-lettered at', formatTime(d.dead_letter_timestamp)],
      ['payload', `${payloadBytes(d)} bytes, ${d.payload_encoding === 'base64' ? 'binary, shown as base64' : 'UTF-8 text'}`],
    ]),
  );
  printOut(`---\n${printable(d.payload ?? '')}`);
}

function idsBody(flags: IdFlags): { ids?: number[] } {
  return flags.id && flags.id.length > 0 ? { ids: flags.id } : {};
}

function what(flags: IdFlags, tenant: string, connector: string): string {
  return flags.id && flags.id.length > 0 ? `dead letters ${flags.id.join(', ')} of ${tenant}/${connector}` : `all dead letters of ${tenant}/${connector}`;
}

async function replay(connector: string, flags: IdFlags): Promise<void> {
  const path = connectorPath(connector, '/dead-letters/replay');
  const res = await clientOf(flags).request<ReplayResult>('POST', path, { query: { tenant: tenantOf(flags) }, body: idsBody(flags) });
  if (flags.json) return printJson(res);
  const failed = res.failed ? `; ${res.failed} refused again by the sink (kept, with the new error)` : '';
  printOut(`replayed ${res.replayed} dead letter${res.replayed === 1 ? '' : 's'} of ${tenantOf(flags)}/${connector}${failed}`);
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function purge(connector: string, flags: PurgeFlags): Promise<void> {
  const tenant = tenantOf(flags);
  const client = clientOf(flags);
  if (!flags.yes) {
    if (!process.stdin.isTTY) throw new UsageError(`dlq purge deletes ${what(flags, tenant, connector)} for good; stdin is not a terminal, so pass --yes to confirm`);
    if (!(await confirm(`Delete ${what(flags, tenant, connector)} for good?`))) throw new UsageError('dlq purge: not confirmed; nothing was deleted');
  }
  const body = flags.id && flags.id.length > 0 ? idsBody(flags) : undefined;
  const res = await client.request<{ purged: number }>('DELETE', connectorPath(connector, '/dead-letters'), { query: { tenant }, body });
  if (flags.json) return printJson(res);
  printOut(`purged ${res.purged} dead letter${res.purged === 1 ? '' : 's'} of ${tenant}/${connector}`);
}

export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description("inspect, replay and purge a connector's dead letters");

  clientCommand(dlq, 'list <connector>', 'list dead letters', { tenant: true })
    .option('--limit <n>', 'dead letters per page', parsePositiveInt)
    .option('--page <n>', 'page number, from 1', parsePositiveInt)
    .action((connector: string, flags: ListFlags) => list(connector, flags));

  clientCommand(dlq, 'show <connector> <id>', 'show one dead letter with its payload', { tenant: true }).action((connector: string, id: string, flags: ClientFlags) => show(connector, parseId(id), flags));

  clientCommand(dlq, 'replay <connector>', 'send dead letters to the sink again (all, or the --id ones)', { tenant: true })
    .option('--id <id...>', 'only these dead letters (repeatable)', collectIds)
    .action((connector: string, flags: IdFlags) => replay(connector, flags));

  clientCommand(dlq, 'purge <connector>', 'delete dead letters for good (all, or the --id ones)', { tenant: true })
    .option('--id <id...>', 'only these dead letters (repeatable)', collectIds)
    .option('-y, --yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .action((connector: string, flags: PurgeFlags) => purge(connector, flags));
}

function parseId(raw: string): number {
  try {
    return parsePositiveInt(raw);
  } catch {
    throw new UsageError(`dlq show: id must be a whole number ≥ 1`);
  }
}
