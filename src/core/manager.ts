// The runtime: one ConnectorRuntime per stored definition, reconciled at start and on every
// change from the admin API. One connector failing never disturbs another.
import type { SinkRecord } from '../connectors/sink.js';
import type { ConnectorStatus } from './connector-status.js';
import type { ConnectorHistory, DeadLetterPort, RuntimePort } from './runtime-port.js';
import { maskText } from '../metadata/secret-masking.js';
import type { DefinitionChange, DefinitionStore } from '../metadata/store.js';
import { ConnectorRuntime, type RuntimeDeps } from './connector-runtime.js';
import { deadLetterPort } from './dead-letter-port.js';
import type { FleetConnectorStatus } from './fleet-status.js';
import type { FleetInstance, FleetMember } from './fleet-member.js';
import { discardSession } from './mqtt-source.js';
import { connectorClientId } from './client-identity.js';
import type { ConnectorDefinition } from '../metadata/definition.js';
import type { DeadLetterPublisher } from './dlq-publisher.js';
import type { Journal } from './journal.js';
import type { Logger } from './logger.js';
import { type MetricsSource, RuntimeMetrics } from './metrics.js';
import type { BrokerSettings } from './mqtt-source.js';
import { StatusHistory } from './status-history.js';

export interface ManagerOptions {
  store: DefinitionStore;
  journal: Journal;
  broker: BrokerSettings;
  dlq: DeadLetterPublisher & { connected?: () => boolean };
  log: Logger;
  /** fleet mode: the filter each connector subscribes to (its shared subscription) */
  subscription?: (tenant: string, name: string, filter: string) => string;
}

const key = (tenant: string, name: string) => `${tenant}\u0000${name}`;

export class ConnectorManager implements RuntimePort {
  private readonly runtimes = new Map<string, ConnectorRuntime>();
  private readonly deps: RuntimeDeps;
  readonly metricsRegistry: RuntimeMetrics;
  /** rates and pending of the last hour, for the console */
  readonly statusHistory = new StatusHistory(() => [...this.runtimes.values()].map((rt) => rt.status()));
  private stopping = false;
  private fleet?: FleetMember;

  constructor(private readonly o: ManagerOptions) {
    o.journal.useLog(o.log);
    this.metricsRegistry = new RuntimeMetrics(
      () => this.metricsSources(),
      () => ({ wal_bytes: o.journal.walBytes(), checkpoint: o.journal.checkpointHealth() }),
    );
    this.deps = { journal: o.journal, broker: o.broker, dlq: o.dlq, log: o.log, metrics: this.metricsRegistry, subscription: o.subscription };
  }

  /**
   * Brings every stored connector back in its stored desired state. Sinks start in the
   * background: a slow or unreachable target never holds up the service or the other connectors.
   */
  async start(): Promise<void> {
    const defs = await this.o.store.all();
    for (const d of defs) this.launch(d);
    this.statusHistory.start();
    this.o.log.info({ connectors: defs.length }, 'runtime started');
  }

  private launch(def: DefinitionChange['definition']): void {
    const rt = new ConnectorRuntime(def, this.deps);
    this.runtimes.set(key(def.tenant, def.name), rt);
    this.background(rt.start(), def);
  }

  private background(op: Promise<void>, def: DefinitionChange['definition']): void {
    op.catch((e: Error) => this.o.log.error({ tenant: def.tenant, connector: def.name, err: maskText(e.message) }, 'connector operation failed'));
  }

  /** Takes a stored change; the connector applies it in the background (see `settle`). */
  async apply(change: DefinitionChange): Promise<void> {
    if (this.stopping) return;
    const d = change.definition;
    const rt = this.runtimes.get(key(d.tenant, d.name));
    switch (change.kind) {
      case 'created':
        if (!rt) this.launch(d);
        return;
      case 'updated':
        // the same stored version twice (fleet mode: this process's own change also comes back from the store)
        if (rt && rt.def.revision === d.revision && rt.def.updated_at === d.updated_at) return;
        if (rt) {
          // the histogram is labelled by type: once the old sink's last batch is done, its series go
          const oldType = rt.def.type;
          this.background(
            rt.update(d).then(() => {
              if (oldType !== d.type) this.metricsRegistry.forget(d.tenant, oldType, d.name);
            }),
            d,
          );
        } else this.launch(d);
        return;
      case 'deleted':
        this.runtimes.delete(key(d.tenant, d.name));
        if (rt) await rt.destroy();
        else this.o.journal.remove(d.tenant, d.name);
        this.metricsRegistry.forget(d.tenant, d.type, d.name);
        this.statusHistory.forget(d.tenant, d.name);
        return;
    }
  }

  /** the definition the runtime runs now */
  definitionOf(tenant: string, name: string): ConnectorDefinition | undefined {
    return this.runtimes.get(key(tenant, name))?.def;
  }

  runningDefinitions(): ConnectorDefinition[] {
    return [...this.runtimes.values()].map((rt) => rt.def);
  }

  statuses(): ConnectorStatus[] {
    return [...this.runtimes.values()].map((rt) => rt.status());
  }

  /** connectors with state in the journal but no runtime (e.g. deleted while this process was down) */
  orphanJournals(): { tenant: string; name: string }[] {
    return this.o.journal.connectorKeys().filter((k) => !this.runtimes.has(key(k.tenant, k.name)));
  }

  /** removes an orphan's broker session and journal */
  async discardOrphan(tenant: string, name: string): Promise<void> {
    if (this.runtimes.has(key(tenant, name))) return;
    await discardSession(this.o.broker, connectorClientId(this.o.journal.db, this.o.broker.clientIdPrefix, tenant, name)).catch(() => undefined);
    this.o.journal.remove(tenant, name);
  }

  attachFleet(member: FleetMember): void {
    this.fleet = member;
  }

  /** fleet mode: the connector across every process; undefined without a fleet */
  async fleetStatus(tenant: string, name: string): Promise<FleetConnectorStatus | undefined> {
    return this.fleet?.connectorStatus(tenant, name, this.status(tenant, name));
  }

  /** fleet mode: every process that ever sent a heartbeat; undefined without a fleet */
  async fleetInstances(): Promise<FleetInstance[] | undefined> {
    return this.fleet?.instances();
  }

  status(tenant: string, name: string): ConnectorStatus | undefined {
    return this.runtimes.get(key(tenant, name))?.status();
  }

  async settle(tenant: string, name: string): Promise<void> {
    await this.runtimes.get(key(tenant, name))?.settled();
  }

  async restart(tenant: string, name: string): Promise<void> {
    await this.runtimes.get(key(tenant, name))?.restart();
  }

  recentRecords(tenant: string, name: string, limit: number): SinkRecord[] | undefined {
    return this.runtimes.get(key(tenant, name))?.recentRecords(limit);
  }

  deadLetters(tenant: string, name: string): DeadLetterPort | undefined {
    const rt = this.runtimes.get(key(tenant, name));
    return rt ? deadLetterPort(rt, this.o.journal.deadLetters) : undefined;
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.metricsRegistry.contentType(), body: await this.metricsRegistry.text() };
  }

  history(tenant: string, name: string, sinceMs?: number): ConnectorHistory | undefined {
    if (!this.runtimes.has(key(tenant, name))) return undefined;
    return { interval_ms: this.statusHistory.intervalMs, keep_ms: this.statusHistory.keepMs, samples: this.statusHistory.samples(tenant, name, sinceMs) };
  }

  ready(): boolean {
    return this.notReadyReasons().length === 0;
  }

  notReadyReasons(): string[] {
    const reasons: string[] = [];
    if (this.stopping) reasons.push('shutting down');
    if (!this.o.journal.healthy()) reasons.push('the journal does not answer');
    const writes = this.o.journal.writes.problem();
    if (writes) reasons.push(writes);
    const checkpoints = this.o.journal.checkpointProblem();
    if (checkpoints) reasons.push(checkpoints);
    if (!(this.o.dlq.connected?.() ?? true)) reasons.push('the dead-letter publisher is not connected to the source broker');
    return reasons;
  }

  /** Graceful shutdown: every connector finishes its in-flight batch, then sources and sinks close. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.statusHistory.stop();
    await Promise.all([...this.runtimes.values()].map((rt) => rt.stop()));
    this.runtimes.clear();
    await this.o.dlq.close();
  }

  private metricsSources(): MetricsSource[] {
    return [...this.runtimes.values()].map((rt) => {
      const s = rt.status();
      return {
        tenant: s.tenant,
        name: s.name,
        type: s.type,
        received: s.received,
        written: s.written,
        discarded: s.discarded,
        dead_lettered: s.dead_lettered,
        filtered: s.filtered,
        retries: s.retries,
        pending: s.pending,
        journal_bytes: s.journal_bytes,
        oldest_pending_age_ms: s.oldest_pending_age_ms,
        up: s.state === 'running',
        journal_full: s.journal_full,
        state: s.state,
        max_journal_bytes: s.max_journal_bytes,
      };
    });
  }
}
