// Fleet mode: a change made through any process's API reaches this one as a store event; the
// runtime is brought to what the store holds. Changes this process made itself arrive too and
// find nothing to do. Events of one connector are applied one after another.
import type { ConnectorDefinition } from '../metadata/definition.js';
import { maskText } from '../metadata/secret-masking.js';
import type { SharedDefinitionStore, StoreEvent } from '../metadata/store.js';
import type { Logger } from './logger.js';

/** The part of the runtime the sync drives (ConnectorManager). */
export interface SyncedRuntime {
  apply(change: { kind: 'created'; definition: ConnectorDefinition } | { kind: 'updated'; definition: ConnectorDefinition; previous: ConnectorDefinition } | { kind: 'deleted'; definition: ConnectorDefinition }): Promise<void>;
  /** the definition the runtime runs now */
  definitionOf(tenant: string, name: string): ConnectorDefinition | undefined;
  runningDefinitions(): ConnectorDefinition[];
  /** connectors with a journal on this node but no runtime (e.g. deleted while this process was down) */
  orphanJournals(): { tenant: string; name: string }[];
  /** removes such a journal and its broker session */
  discardOrphan(tenant: string, name: string): Promise<void>;
}

const key = (tenant: string, name: string) => `${tenant}\u0000${name}`;

export class FleetSync {
  private readonly chains = new Map<string, Promise<void>>();
  private resyncing?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly store: SharedDefinitionStore,
    private readonly runtime: SyncedRuntime,
    private readonly log: Logger,
  ) {}

  /** Starts following the store and removes the journals of connectors deleted while this process was down. */
  async start(): Promise<void> {
    this.store.watch((e) => this.onEvent(e));
    await this.dropDeletedJournals();
  }

  stop(): void {
    this.stopped = true;
  }

  private onEvent(e: StoreEvent): void {
    if (this.stopped) return;
    if (e.kind === 'resync') {
      void this.resync();
      return;
    }
    void this.reconcileOne(e.tenant, e.name);
  }

  /** Serialized per connector; failures are logged (the next event or resync tries again). */
  reconcileOne(tenant: string, name: string): Promise<void> {
    const k = key(tenant, name);
    const next = (this.chains.get(k) ?? Promise.resolve())
      .then(() => this.reconcile(tenant, name))
      .catch((e: unknown) => this.log.error({ tenant, connector: name, err: maskText((e as Error).message) }, 'fleet: could not apply a change from the shared store'))
      .finally(() => {
        if (this.chains.get(k) === next) this.chains.delete(k);
      });
    this.chains.set(k, next);
    return next;
  }

  private async reconcile(tenant: string, name: string): Promise<void> {
    if (this.stopped) return;
    const stored = await this.store.get(tenant, name);
    const running = this.runtime.definitionOf(tenant, name);
    if (stored && !running) {
      this.log.info({ tenant, connector: name }, 'fleet: connector created elsewhere, starting it');
      await this.runtime.apply({ kind: 'created', definition: stored });
    } else if (stored && running && stored.revision > running.revision) {
      this.log.info({ tenant, connector: name, revision: stored.revision }, 'fleet: connector changed elsewhere, applying it');
      await this.runtime.apply({ kind: 'updated', definition: stored, previous: running });
    } else if (!stored && running) {
      this.log.info({ tenant, connector: name }, 'fleet: connector deleted elsewhere, removing it');
      await this.runtime.apply({ kind: 'deleted', definition: running });
    }
  }

  /** After the change feed reconnected: every stored and every running connector reconciled. */
  resync(): Promise<void> {
    if (this.resyncing) return this.resyncing;
    this.resyncing = (async () => {
      try {
        const stored = await this.store.all();
        const names = new Map(stored.map((d) => [key(d.tenant, d.name), d]));
        for (const d of this.runtime.runningDefinitions()) names.set(key(d.tenant, d.name), d);
        await Promise.all([...names.values()].map((d) => this.reconcileOne(d.tenant, d.name)));
        await this.dropDeletedJournals();
      } catch (e) {
        this.log.error({ err: maskText((e as Error).message) }, 'fleet: resync with the shared store failed');
      } finally {
        this.resyncing = undefined;
      }
    })();
    return this.resyncing;
  }

  private async dropDeletedJournals(): Promise<void> {
    for (const o of this.runtime.orphanJournals()) {
      if (!(await this.store.wasDeleted(o.tenant, o.name))) continue;
      this.log.info({ tenant: o.tenant, connector: o.name }, 'fleet: connector was deleted while this process was down, removing its journal');
      await this.runtime.discardOrphan(o.tenant, o.name);
    }
  }
}
