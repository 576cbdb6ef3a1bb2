// `sluice connector status|pause|resume|restart <name>`: the runtime's view of one connector.
import type { Command } from 'commander';
import type { ConnectorStatus } from './api-types.js';
import type { FleetConnectorStatus } from '../../core/fleet-status.js';
import { type ClientFlags, clientCommand, clientOf, connectorPath, tenantOf } from './client-options.js';
import { parsePositiveInt } from './input.js';
import { formatBytes, formatDuration, formatTime, printJson, printOut, renderBlock, renderYaml } from './output.js';
import { watchStatus } from './status-watch.js';

interface StatusFlags extends ClientFlags {
  watch?: boolean;
  interval?: number;
  count?: number;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** `received N = written N + discarded N + dead_lettered N [+ filtered N] + pending N`, flagged when it does not add up. */
export function accountingLine(s: ConnectorStatus): string {
  const filtered = num(s.filtered);
  const parts = [num(s.written), num(s.discarded_total), num(s.dead_lettered), filtered, num(s.pending)];
  const [written, discarded, deadLettered, , pending] = parts;
  // filtered only shows when a transform dropped something (and servers before transforms have none)
  const line = `received ${num(s.received)} = written ${written} + discarded ${discarded} + dead_lettered ${deadLettered}${filtered > 0 ? ` + filtered ${filtered}` : ''} + pending ${pending}`;
  const sum = parts.reduce((a, b) => a + b, 0);
  return sum === num(s.received) ? line : `${line}  (does not add up: the sum is ${sum})`;
}

function discardReasons(discarded: Record<string, number> | undefined): string {
  const entries = Object.entries(discarded ?? {}).filter(([, n]) => n > 0);
  return entries.length ? entries.map(([reason, n]) => `${reason} ${n}`).join(', ') : '-';
}

function lastSuccess(at: number | null, now: number): string {
  if (at === null || at === undefined) return 'never';
  return `${formatTime(at)} (${formatDuration(now - at)} ago)`;
}

function journalLine(s: ConnectorStatus): string {
  const bound = s.max_journal_bytes !== undefined ? ` of ${formatBytes(s.max_journal_bytes)}` : '';
  return `${formatBytes(num(s.journal_bytes))}${bound}${s.journal_full ? ' (FULL: the source has stopped acknowledging the broker)' : ''}`;
}

function lastError(s: ConnectorStatus): string {
  if (!s.last_error) return '-';
  return s.last_error_at ? `${s.last_error} (at ${formatTime(s.last_error_at)})` : s.last_error;
}

/** Fleet mode: the totals, then one line per process (gone ones say how long they have been silent). */
function fleetLines(f: FleetConnectorStatus): [string, unknown][] {
  const t = f.total;
  const lines: [string, unknown][] = [['fleet', `${f.instances.length} process${f.instances.length === 1 ? '' : 'es'}, ${f.alive} alive; in total received ${t.received} = written ${t.written} + discarded ${t.discarded_total} + dead_lettered ${t.dead_lettered}${t.filtered > 0 ? ` + filtered ${t.filtered}` : ''} + pending ${t.pending}`]];
  for (const i of f.instances) {
    const who = `${i.instance_name}${i.self ? ' (this one)' : ''}`;
    const life = i.alive ? i.state : `GONE (no heartbeat for ${formatDuration(i.heartbeat_age_ms)}; its pending records wait in its journal)`;
    lines.push([`  ${who}`, `${life}: received ${i.received}, written ${i.written}, pending ${i.pending}${i.last_error ? `, last error: ${i.last_error}` : ''}`]);
  }
  return lines;
}

export function renderStatus(s: ConnectorStatus & { fleet?: FleetConnectorStatus }, now = Date.now(), extra: [string, unknown][] = []): string {
  const optional: [string, unknown][] = [];
  if (s.desired_state !== undefined) optional.push(['desired state', s.desired_state]);
  if (s.source_connected !== undefined) optional.push(['source', s.source_connected ? 'connected' : 'disconnected']);
  return renderBlock([
    ['connector', `${s.tenant}/${s.name}${s.type ? ` (${s.type})` : ''}`],
    ['state', s.state],
    ...optional,
    ['accounting', accountingLine(s)],
    ['discarded by', discardReasons(s.discarded)],
    ['retries', num(s.retries)],
    ['last success', lastSuccess(s.last_success_at, now)],
    ['oldest pending', num(s.pending) > 0 ? formatDuration(num(s.oldest_pending_age_ms)) : '-'],
    ['journal', journalLine(s)],
    ['last error', lastError(s)],
    ...(s.fleet ? fleetLines(s.fleet) : []),
    ...extra,
  ]);
}

async function run(method: 'GET' | 'POST', action: string, name: string, flags: ClientFlags): Promise<void> {
  const path = connectorPath(name, `/${action}`);
  const status = await clientOf(flags).request<ConnectorStatus>(method, path, { query: { tenant: tenantOf(flags) } });
  if (flags.json) printJson(status);
  else printOut(renderStatus(status));
}

async function status(name: string, flags: StatusFlags): Promise<void> {
  if (!flags.watch) return run('GET', 'status', name, flags);
  const opts = { intervalMs: (flags.interval ?? 2) * 1000, count: flags.count, json: flags.output === 'json' };
  return watchStatus(clientOf(flags), tenantOf(flags), name, opts, (s, extra) => (flags.json ? renderYaml({ ...s, ...Object.fromEntries(extra) }) : renderStatus(s, Date.now(), extra)));
}

export function registerStatusCommands(connector: Command): void {
  clientCommand(connector, 'status <name>', 'show the live status and message accounting of a connector', { tenant: true })
    .option('-w, --watch', 'refresh the status in place, with rates per second, until Ctrl-C')
    .option('--interval <seconds>', 'seconds between refreshes with --watch (default 2)', parsePositiveInt)
    .option('--count <n>', 'with --watch: stop after n refreshes', parsePositiveInt)
    .action((name: string, flags: StatusFlags) => status(name, flags));
  const actions = [
    ['pause', 'pause a connector: stop delivering to its sink until resumed'],
    ['resume', 'start a paused connector again'],
    ['restart', 'stop the connector (draining its current batch) and start it again'],
  ] as const;
  for (const [action, description] of actions) {
    clientCommand(connector, `${action} <name>`, description, { tenant: true }).action((name: string, flags: ClientFlags) => run('POST', action, name, flags));
  }
}
