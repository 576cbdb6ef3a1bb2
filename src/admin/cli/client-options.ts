// The options every client command shares (--server, --token, --json, --tenant) and the client they build.
import { type Command, Option } from 'commander';
import { ApiClient } from './http-client.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
export const DEFAULT_TENANT = 'default';

export interface ClientFlags {
  server: string;
  token?: string;
  json?: boolean;
  tenant?: string;
}

/** Adds a subcommand of `parent` that talks to the admin API, with the shared options. */
export function clientCommand(parent: Command, spec: string, description: string, opts: { tenant?: boolean } = {}): Command {
  const cmd = parent.command(spec).description(description);
  cmd.addOption(new Option('--server <url>', 'admin API base URL').env('SLUICE_URL').default(DEFAULT_SERVER));
  cmd.addOption(new Option('--token <token>', 'bearer token of the admin API').env('SLUICE_TOKEN'));
  cmd.option('--json', 'print the raw JSON answer (for scripts)');
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
