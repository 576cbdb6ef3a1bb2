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
