// One connector's status across the fleet: each process's last report (this process's own live
// status in place of its report), which processes are alive, and the totals.
import type { ConnectorReport, InstanceInfo } from '../metadata/store.js';
import type { ConnectorStatus } from './connector-status.js';

/** The counters that add up across the fleet. */
export type FleetTotals = Pick<ConnectorStatus, 'received' | 'written' | 'discarded_total' | 'dead_lettered' | 'filtered' | 'pending'>;

/** What every fleet member reports of a connector (the heartbeat keeps it small). */
export type ReportedStatus = FleetTotals & Pick<ConnectorStatus, 'state' | 'source_connected' | 'last_error' | 'last_error_at'>;

export interface FleetInstanceStatus extends ReportedStatus {
  instance_id: string;
  instance_name: string;
  /** false once the process has not sent a heartbeat for the instance timeout */
  alive: boolean;
  /** this process (the one answering) */
  self: boolean;
  heartbeat_age_ms: number;
  /** when this status was reported (ms since the epoch, the store's clock; now for this process) */
  reported_at: number;
}

export interface FleetConnectorStatus {
  /** the process answering */
  instance_id: string;
  instances: FleetInstanceStatus[];
  /** how many of `instances` are alive */
  alive: number;
  /** summed over every instance, the gone ones included: their pending records wait in their journals */
  total: FleetTotals;
}

export function reportOf(s: ConnectorStatus): ReportedStatus {
  return {
    state: s.state,
    source_connected: s.source_connected,
    received: s.received,
    written: s.written,
    discarded_total: s.discarded_total,
    dead_lettered: s.dead_lettered,
    filtered: s.filtered,
    pending: s.pending,
    last_error: s.last_error,
    last_error_at: s.last_error_at,
  };
}

function parsed(text: string): ReportedStatus | undefined {
  try {
    const v = JSON.parse(text) as Partial<ReportedStatus>;
    return typeof v.received === 'number' && typeof v.written === 'number' ? (v as ReportedStatus) : undefined;
  } catch {
    return undefined;
  }
}

const row = (i: Pick<InstanceInfo, 'id' | 'name' | 'alive' | 'heartbeat_age_ms'>, self: boolean, reportedAt: number, r: ReportedStatus): FleetInstanceStatus => ({
  instance_id: i.id,
  instance_name: i.name,
  alive: i.alive,
  self,
  heartbeat_age_ms: i.heartbeat_age_ms,
  reported_at: reportedAt,
  ...r,
});

/**
 * The fleet's view of one connector. `local` is this process's live status (undefined when it does
 * not run the connector); it replaces this process's stored report, which is up to a heartbeat old.
 */
export function fleetStatusOf(selfId: string, selfName: string, reports: readonly ConnectorReport[], local: ConnectorStatus | undefined, now = Date.now()): FleetConnectorStatus {
  const instances: FleetInstanceStatus[] = [];
  for (const r of reports) {
    if (r.instance.id === selfId) continue;
    const s = parsed(r.status);
    if (s) instances.push(row(r.instance, false, r.reported_at, s));
  }
  if (local) instances.push(row({ id: selfId, name: selfName, alive: true, heartbeat_age_ms: 0 }, true, now, reportOf(local)));
  instances.sort((a, b) => (a.instance_name < b.instance_name ? -1 : a.instance_name > b.instance_name ? 1 : a.instance_id < b.instance_id ? -1 : 1));
  const total: FleetTotals = { received: 0, written: 0, discarded_total: 0, dead_lettered: 0, filtered: 0, pending: 0 };
  for (const i of instances) {
    total.received += i.received;
    total.written += i.written;
    total.discarded_total += i.discarded_total;
    total.dead_lettered += i.dead_lettered;
    total.filtered += i.filtered;
    total.pending += i.pending;
  }
  return { instance_id: selfId, instances, alive: instances.filter((i) => i.alive).length, total };
}
