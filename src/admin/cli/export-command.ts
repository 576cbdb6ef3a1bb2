// `sluice export [--dir D]`: the current definitions as files `sluice apply` takes. Secrets come
// as the server shows them (`******`): never in clear.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { READ_ONLY_FIELDS } from '../../metadata/definition-files.js';
import type { ConnectorView } from './api-types.js';
import { allConnectors } from './apply-command.js';
import { type ClientFlags, clientCommand, clientOf } from './client-options.js';
import { printOut, renderYaml } from './output.js';

interface ExportFlags extends ClientFlags {
  dir?: string;
  tenant?: string;
}

const HEADER = [
  '# Exported by `sluice export`. Apply with `sluice apply -f <this file or its directory>`.',
  '# Secret values show as ******: applied to the same server they keep the stored secret; for a',
  '# new server write them as ${env:SLUICE_SECRET_…} or ${file:…} references.',
].join('\n');

export function definitionOf(view: ConnectorView): Record<string, unknown> {
  const body: Record<string, unknown> = { ...view };
  for (const f of READ_ONLY_FIELDS) delete body[f];
  return body;
}

async function exportDefinitions(flags: ExportFlags): Promise<void> {
  const views = await allConnectors(clientOf(flags), flags.tenant);
  const json = flags.output === 'json';
  const defs = views.map(definitionOf);
  if (flags.dir === undefined) {
    if (json) return printOut(JSON.stringify(defs, null, 2));
    return printOut(`${HEADER}\n${defs.map((d) => `---\n${renderYaml(d)}`).join('\n')}`);
  }
  mkdirSync(flags.dir, { recursive: true });
  for (const d of defs) {
    const file = join(flags.dir, `${String(d.tenant)}.${String(d.name)}.${json ? 'json' : 'yaml'}`);
    writeFileSync(file, json ? `${JSON.stringify(d, null, 2)}\n` : `${HEADER}\n${renderYaml(d)}\n`, { mode: 0o600 });
  }
  printOut(`exported ${defs.length} connector${defs.length === 1 ? '' : 's'} to ${flags.dir}`);
}

export function registerExportCommand(program: Command): void {
  clientCommand(program, 'export', 'write the connector definitions as files for `sluice apply` (secrets as ******)')
    .option('--dir <dir>', 'one file per connector, <tenant>.<name>.yaml (.json with --output json); without it, one YAML stream on stdout')
    .option('--tenant <tenant>', 'only this tenant')
    .action((flags: ExportFlags) => exportDefinitions(flags));
}
