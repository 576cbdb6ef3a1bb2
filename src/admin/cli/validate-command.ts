// `sluice connector validate`: checks a type's config without storing it (and with --probe, that
// the target answers), through POST /api/v1/connector-types/:type/validate.
import type { Command } from 'commander';
import { UsageError } from './cli-errors.js';
import { type ClientFlags, clientCommand, clientOf } from './client-options.js';
import { fileConfig } from './connector-body.js';
import { withFieldHints } from './field-hints.js';
import { parseJsonObjectFlag, readObjectFile } from './input.js';
import { printJson, printOut, renderYaml } from './output.js';

interface ValidateFlags extends ClientFlags {
  file?: string;
  type?: string;
  config?: string;
  probe?: boolean;
}

interface ValidateAnswer {
  valid: true;
  probed: boolean;
  config: Record<string, unknown>;
}

async function validate(flags: ValidateFlags): Promise<void> {
  const base = flags.file !== undefined ? readObjectFile(flags.file) : {};
  const type = flags.type ?? base.type;
  if (typeof type !== 'string' || type === '') throw new UsageError('connector validate needs --type <type> (or -f <file> with a type)');
  const config = { ...fileConfig(base.config, flags.file), ...(flags.config !== undefined ? parseJsonObjectFlag(flags.config, '--config') : {}) };
  const client = clientOf(flags);
  const path = `/api/v1/connector-types/${encodeURIComponent(type)}/validate`;
  const answer = await client
    .request<ValidateAnswer>('POST', path, { body: { config, probe: flags.probe === true } })
    .catch(async (e: unknown) => {
      throw await withFieldHints(e, client, { type, config });
    });
  if (flags.json) return printJson(answer);
  printOut(answer.probed ? `the ${type} config is valid and the target answered` : `the ${type} config is valid (not probed; --probe also tries to reach the target)`);
  printOut(renderYaml({ config: answer.config }));
}

export function registerValidateCommand(connector: Command): void {
  clientCommand(connector, 'validate', 'check a config without storing it; --probe also tries to reach the target')
    .option('-f, --file <file>', 'a connector definition (.json, .yaml, .yml; - = stdin): its type and config are checked')
    .option('--type <type>', 'connector type (overrides the file)')
    .option('--config <json>', 'config as a JSON object; its keys override those of the file')
    .option('--probe', 'also open the sink and check that the target is reachable (exit 1 when it is not)')
    .action((flags: ValidateFlags) => validate(flags));
}
