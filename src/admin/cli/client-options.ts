// The options every client command shares. They are declared once, on the program, so they are
// accepted before or after the subcommand (`sluice --json connector list` = `sluice connector list --json`);
// a hook copies them onto the command that runs, after the environment and the defaults.
import { type Command, Option } from 'commander';
import { ApiClient } from './http-client.js';
import { useStructuredFormat } from './output.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
export const DEFAULT_TENANT = 'default';
export const OUTPUT_FORMATS = ['text', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ClientFlags {
  server: string;
  token?: string;
  /** structured output (JSON, or YAML with --output yaml) instead of tables */
  json?: boolean;
  output?: OutputFormat;
  tenant?: string;
}

interface GlobalValues {
  server?: string;
  url?: string;
  token?: string;
  json?: boolean;
  output?: OutputFormat;
}

export function addGlobalOptions(program: Command): void {
  program
    .option('--server <url>', `admin API base URL (env SLUICE_URL; default ${DEFAULT_SERVER})`)
    .addOption(new Option('--url <url>', 'same as --server').hideHelp())
    .option('--token <token>', 'bearer token of the admin API (env SLUICE_TOKEN)')
    .option('--json', 'print the raw JSON answer (for scripts); same as --output json')
    .addOption(new Option('-o, --output <format>', 'output format').choices([...OUTPUT_FORMATS]));
  program.configureHelp({ showGlobalOptions: true });
  program.hook('preAction', (_program, action) => {
    const given = program.opts<GlobalValues>();
    const output = given.output ?? (given.json ? 'json' : 'text');
    action.setOptionValue('server', given.server ?? given.url ?? (process.env.SLUICE_URL || DEFAULT_SERVER));
    action.setOptionValue('token', given.token ?? (process.env.SLUICE_TOKEN || undefined));
    action.setOptionValue('output', output);
    action.setOptionValue('json', output !== 'text');
    useStructuredFormat(output === 'yaml' ? 'yaml' : 'json');
  });
}

/** Adds a subcommand of `parent` that talks to the admin API (the global options apply to it). */
export function clientCommand(parent: Command, spec: string, description: string, opts: { tenant?: boolean } = {}): Command {
  const cmd = parent.command(spec).description(description);
  if (opts.tenant) cmd.option('--tenant <tenant>', `tenant of the connector (default: ${DEFAULT_TENANT})`);
  return cmd;
}

export function clientOf(flags: ClientFlags): ApiClient {
  return new ApiClient({ server: flags.server, token: flags.token });
}

export function tenantOf(flags: ClientFlags): string {
  return flags.tenant ?? DEFAULT_TENANT;
}

/** `/api/v1/connectors/<name>` plus an optional sub-path, with the name URL-encoded. */
export function connectorPath(name: string, sub = ''): string {
  return `/api/v1/connectors/${encodeURIComponent(name)}${sub}`;
}
