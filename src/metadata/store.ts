// Where connector definitions live. Kept narrow and async so that a shared store
// (PostgreSQL with LISTEN/NOTIFY) can be added beside the embedded SQLite one.
import type { ConnectorDefinition, DefinitionContent } from './definition.js';

export interface ListQuery {
  tenant?: string;
  /** contains-match on the name */
  nameContains?: string;
  type?: string;
  limit: number;
  /** 1-based */
  page: number;
  sortField: 'name' | 'tenant' | 'type' | 'created_at' | 'updated_at';
  sortDir: 'asc' | 'desc';
}

export interface ListResult {
  items: ConnectorDefinition[];
  total: number;
}

export type DefinitionChange =
  | { kind: 'created'; definition: ConnectorDefinition }
  | { kind: 'updated'; definition: ConnectorDefinition; previous: ConnectorDefinition }
  | { kind: 'deleted'; definition: ConnectorDefinition };

export interface DefinitionStore {
  list(query: ListQuery): Promise<ListResult>;
  /** every definition, for the runtime to reconcile at start */
  all(): Promise<ConnectorDefinition[]>;
  get(tenant: string, name: string): Promise<ConnectorDefinition | undefined>;
  /** throws CONFLICT when (tenant, name) exists */
  create(content: DefinitionContent): Promise<ConnectorDefinition>;
  /** bumps the revision; throws NOT_FOUND, or CONFLICT when `expectedRevision` is stale */
  update(content: DefinitionContent, expectedRevision?: number): Promise<ConnectorDefinition>;
  /** returns the deleted definition, or undefined when there was none */
  delete(tenant: string, name: string): Promise<ConnectorDefinition | undefined>;
  /** usable right now (for /ready) */
  healthy(): boolean;
  close(): Promise<void>;
}

/** What a shared store tells every process: a connector changed (read it again), or resync all (changes may have been missed). */
export type StoreEvent = { kind: 'changed'; tenant: string; name: string } | { kind: 'resync' };

/** A shared store (PostgreSQL): changes made by any process, the fleet's heartbeats, deletions seen while a process was down. */
export interface SharedDefinitionStore extends DefinitionStore {
  /** every change by any process (this one included) within about a second, and `resync` after the feed reconnects */
  watch(listener: (event: StoreEvent) => void): void;
  readonly fleet: FleetBoard;
  /** whether (tenant, name) was deleted and not created again since */
  wasDeleted(tenant: string, name: string): Promise<boolean>;
}

export function isShared(store: DefinitionStore): store is SharedDefinitionStore {
  return typeof (store as Partial<SharedDefinitionStore>).watch === 'function' && (store as Partial<SharedDefinitionStore>).fleet !== undefined;
}

/** One process's heartbeat: who it is and its status of every connector it runs (JSON, the core's ConnectorStatus). */
export interface InstanceBeat {
  id: string;
  name: string;
  started_at: number;
  reports: { tenant: string; name: string; status: string }[];
}

export interface InstanceInfo {
  id: string;
  name: string;
  started_at: number;
  /** ms since the epoch, in the store's clock */
  heartbeat_at: number;
  /** how long ago the last heartbeat was, in the store's clock (so process clocks may differ) */
  heartbeat_age_ms: number;
  alive: boolean;
}

export interface ConnectorReport {
  instance: InstanceInfo;
  /** the reporting process's status as it sent it (JSON text) */
  status: string;
  reported_at: number;
}

/** The fleet's heartbeats, kept in the shared store. */
export interface FleetBoard {
  beat(beat: InstanceBeat): Promise<void>;
  /** every process that ever beat, alive when its last beat is younger than `timeoutMs` */
  instances(timeoutMs: number): Promise<InstanceInfo[]>;
  /** the last report of (tenant, name) of every process that runs it (or ran it and is gone) */
  reports(tenant: string, name: string, timeoutMs: number): Promise<ConnectorReport[]>;
  /** removes a process and its reports (an operator retiring it for good) */
  forget(instanceId: string): Promise<boolean>;
}
