// `connector status <name> --watch`: the status refreshed in place, with rates per second computed
// from the change of the counters between two refreshes.
import type { ConnectorStatus } from './api-types.js';
import { connectorPath } from './client-options.js';
import type { ApiClient } from './http-client.js';
import { printOut } from './output.js';

export interface WatchOptions {
  intervalMs: number;
  /** stop after this many refreshes (undefined: until Ctrl-C) */
  count?: number;
  /** one JSON status per line instead of the refreshed block */
  json?: boolean;
}

interface Sample {
  at: number;
  status: ConnectorStatus;
}

const COUNTERS = ['received', 'written', 'discarded_total', 'dead_lettered'] as const;

function perSecond(now: Sample, before: Sample | undefined, key: (typeof COUNTERS)[number]): string {
  if (!before) return '-';
  const seconds = (now.at - before.at) / 1000;
  const delta = now.status[key] - before.status[key];
  return seconds > 0 ? `${(delta / seconds).toFixed(1)}/s` : '-';
}

/** `received 12.0/s, written 12.0/s, discarded 0.0/s, dead_lettered 0.0/s, pending 3` */
export function rateLine(now: Sample, before: Sample | undefined): string {
  const rates = COUNTERS.map((k) => `${k === 'discarded_total' ? 'discarded' : k} ${perSecond(now, before, k)}`);
  return `${rates.join(', ')}, pending ${now.status.pending}`;
}

/** Waits, but Ctrl-C ends the wait at once. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      process.removeListener('SIGINT', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    process.once('SIGINT', done);
  });
}

export async function watchStatus(client: ApiClient, tenant: string, name: string, opts: WatchOptions, render: (s: ConnectorStatus, extra: [string, string][]) => string): Promise<void> {
  const tty = process.stdout.isTTY === true && !opts.json;
  let stop = false;
  const onInterrupt = () => {
    stop = true;
  };
  process.on('SIGINT', onInterrupt);
  let before: Sample | undefined;
  try {
    for (let n = 1; !stop; n++) {
      const status = await client.get<ConnectorStatus>(connectorPath(name, '/status'), { tenant });
      const now = { at: Date.now(), status };
      if (opts.json) printOut(JSON.stringify(status));
      else {
        const frame = render(status, [
          ['rates', rateLine(now, before)],
          ['refreshed', `${new Date(now.at).toISOString()} (every ${opts.intervalMs / 1000}s${tty ? ', Ctrl-C ends' : ''})`],
        ]);
        // on a terminal the frame replaces the previous one; in a pipe the frames follow each other
        printOut(tty ? `\x1b[H\x1b[2J${frame}` : `${n > 1 ? '\n' : ''}${frame}`);
      }
      before = now;
      if (opts.count !== undefined && n >= opts.count) break;
      if (!stop) await pause(opts.intervalMs);
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
