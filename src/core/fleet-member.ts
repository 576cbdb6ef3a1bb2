// This process as a member of a fleet: a heartbeat with the status of every connector it runs,
// written into the shared store every `heartbeatMs`, and the fleet's view of a connector.
import type { FleetBoard, InstanceInfo } from '../metadata/store.js';
import { maskText } from '../metadata/secret-masking.js';
import type { ConnectorStatus } from './connector-status.js';
import { type FleetConnectorStatus, fleetStatusOf, reportOf } from './fleet-status.js';
import type { Logger } from './logger.js';

export interface FleetMemberOptions {
  board: FleetBoard;
  instanceId: string;
  instanceName: string;
  heartbeatMs: number;
  timeoutMs: number;
  /** the live status of every connector this process runs */
  statuses: () => ConnectorStatus[];
  log: Logger;
}

export interface FleetInstance extends InstanceInfo {
  self: boolean;
}

export class FleetMember {
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private failing = false;
  readonly startedAt = Date.now();

  constructor(private readonly o: FleetMemberOptions) {}

  get instanceId(): string {
    return this.o.instanceId;
  }

  get instanceName(): string {
    return this.o.instanceName;
  }

  /** The first heartbeat is written before this resolves (a store that does not answer fails the start). */
  async start(): Promise<void> {
    await this.beat(true);
    this.timer = setInterval(() => void this.beat(false), this.o.heartbeatMs);
    this.timer.unref();
  }

  /** Writes one heartbeat now (also used after a change, so the fleet sees it without waiting). */
  beat(throwing = false): Promise<void> {
    if (this.beating) return this.beating;
    const reports = this.o.statuses().map((s) => ({ tenant: s.tenant, name: s.name, status: JSON.stringify(reportOf(s)) }));
    this.beating = this.o.board
      .beat({ id: this.o.instanceId, name: this.o.instanceName, started_at: this.startedAt, reports })
      .then(() => {
        if (this.failing) this.o.log.info({}, 'fleet heartbeat written again');
        this.failing = false;
      })
      .catch((e: unknown) => {
        if (throwing) throw e;
        // logged once per outage: the next beat tries again
        if (!this.failing) this.o.log.warn({ err: maskText((e as Error).message) }, 'fleet heartbeat not written (the store does not answer); other processes will show this one as gone after the instance timeout');
        this.failing = true;
      })
      .finally(() => {
        this.beating = undefined;
      });
    return this.beating;
  }

  async connectorStatus(tenant: string, name: string, local: ConnectorStatus | undefined): Promise<FleetConnectorStatus> {
    const reports = await this.o.board.reports(tenant, name, this.o.timeoutMs);
    return fleetStatusOf(this.o.instanceId, this.o.instanceName, reports, local);
  }

  async instances(): Promise<FleetInstance[]> {
    return (await this.o.board.instances(this.o.timeoutMs)).map((i) => ({ ...i, self: i.id === this.o.instanceId }));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
  }
}
