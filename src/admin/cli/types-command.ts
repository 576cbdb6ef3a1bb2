// `sluice types [type]`: the connector types the server knows, and the config fields of one.
import type { Command } from 'commander';
import type { ConnectorTypeInfo } from './api-types.js';
import { type ClientFlags, clientCommand, clientOf } from './client-options.js';
import { printJson, printOut, renderTable } from './output.js';
import { fieldRows } from './schema-fields.js';

async function listTypes(flags: ClientFlags): Promise<void> {
  const res = await clientOf(flags).get<{ items: ConnectorTypeInfo[] }>('/api/v1/connector-types');
  if (flags.json) return printJson(res);
  const columns = [{ header: 'NAME' }, { header: 'TITLE' }, { header: 'SECRET FIELDS' }, { header: 'DESCRIPTION', max: 100 }];
  printOut(renderTable(columns, res.items.map((t) => [t.name, t.title, t.secret_fields.join(', '), t.description])));
}

async function showType(type: string, flags: ClientFlags): Promise<void> {
  const t = await clientOf(flags).get<ConnectorTypeInfo>(`/api/v1/connector-types/${encodeURIComponent(type)}`);
  if (flags.json) return printJson(t);
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const columns = [{ header: 'FIELD' }, { header: 'TYPE', max: 48 }, { header: 'DEFAULT', max: 40 }, { header: 'REQUIRED' }, { header: 'SECRET' }, { header: 'DESCRIPTION' }];
  const rows = fieldRows(t.schema).map((f) => [f.name, f.type, f.default, yes(f.required), yes(f.secret), f.description]);
  const inFlight = t.max_in_flight ? `\nbatches in flight (delivery.max_in_flight): default ${t.max_in_flight.default}, at most ${t.max_in_flight.max}\n` : '';
  printOut(`${t.name}: ${t.title}\n${t.description}\n${inFlight}`);
  printOut(renderTable(columns, rows));
}

export function registerTypesCommand(program: Command): void {
  clientCommand(program, 'types [type]', 'list the connector types, or the config fields of one')
    .action((type: string | undefined, flags: ClientFlags) => (type ? showType(type, flags) : listTypes(flags)));
}
