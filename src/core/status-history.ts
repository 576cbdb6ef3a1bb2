// In-memory history of every connector's rates and pending, sampled at a fixed interval and
// kept for a bounded time (an hour by default): what the console's sparklines and charts draw.
// Nothing is persisted: after a restart the history starts again.
import type { ConnectorStatus } from './connector-status.js';

export interface HistorySample {
  /** ms since the epoch */
  t: number;
  received: number;
  written: number;
  /** discarded_total + dead_lettered */
  failed: number;
  pending: number;
  oldest_pending_age_ms: number;
  /** messages received per second since the previous sample (0 for the first one) */
  in_per_s: number;
  /** records written per second since the previous sample */
  out_per_s: number;
  /** records discarded or dead-lettered per second since the previous sample */
  failed_per_s: number;
}

export interface HistoryOptions {
  intervalMs?: number;
  keepMs?: number;
  now?: () => number;
}

export const HISTORY_INTERVAL_MS = 5_000;
export const HISTORY_KEEP_MS = 3_600_000;

const key = (tenant: string, name: string) => `${tenant}\u0000${name}`;

/** A ring of samples per connector; `capacity` = keepMs / intervalMs. */
class Ring {
  private readonly items: HistorySample[] = [];
  private start = 0;
  constructor(private readonly capacity: number) {}

  push(s: HistorySample): void {
    if (this.items.length < this.capacity) this.items.push(s);
    else {
      this.items[this.start] = s;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  last(): HistorySample | undefined {
    if (this.items.length === 0) return undefined;
    return this.items[(this.start + this.items.length - 1) % this.items.length];
  }

  toArray(): HistorySample[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
}

export class StatusHistory {
  readonly intervalMs: number;
  readonly keepMs: number;
  private readonly rings = new Map<string, Ring>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly source: () => ConnectorStatus[], opts: HistoryOptions = {}) {
    this.intervalMs = opts.intervalMs ?? HISTORY_INTERVAL_MS;
    this.keepMs = opts.keepMs ?? HISTORY_KEEP_MS;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample of every connector the source lists; connectors no longer listed are forgotten. */
  sample(): void {
    const t = this.now();
    const seen = new Set<string>();
    for (const s of this.source()) {
      const k = key(s.tenant, s.name);
      seen.add(k);
      let ring = this.rings.get(k);
      if (!ring) {
        ring = new Ring(Math.max(1, Math.ceil(this.keepMs / this.intervalMs)));
        this.rings.set(k, ring);
      }
      ring.push(toSample(t, s, ring.last()));
    }
    for (const k of this.rings.keys()) if (!seen.has(k)) this.rings.delete(k);
  }

  /** The samples of one connector newer than `sinceMs` (all kept ones without it), oldest first. */
  samples(tenant: string, name: string, sinceMs?: number): HistorySample[] {
    const all = this.rings.get(key(tenant, name))?.toArray() ?? [];
    return sinceMs === undefined ? all : all.filter((s) => s.t > sinceMs);
  }

  forget(tenant: string, name: string): void {
    this.rings.delete(key(tenant, name));
  }
}

function toSample(t: number, s: ConnectorStatus, prev: HistorySample | undefined): HistorySample {
  const failed = s.discarded_total + s.dead_lettered;
  const secs = prev ? (t - prev.t) / 1000 : 0;
  // a counter that went down (the connector was re-created) starts a new series: no negative rates
  const rate = (now: number, before: number | undefined) => (secs > 0 && before !== undefined && now >= before ? round((now - before) / secs) : 0);
  return {
    t,
    received: s.received,
    written: s.written,
    failed,
    pending: s.pending,
    oldest_pending_age_ms: s.oldest_pending_age_ms,
    in_per_s: rate(s.received, prev?.received),
    out_per_s: rate(s.written, prev?.written),
    failed_per_s: rate(failed, prev?.failed),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
