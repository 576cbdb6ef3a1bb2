// A stored definition as a row of text columns, shared by the SQLite and the PostgreSQL store:
// JSON columns for the structured parts, ISO timestamps, the revision.
import type { ConnectorDefinition, DefinitionContent } from './definition.js';
import type { SecretSealer } from './secrets-at-rest.js';
import type { ListQuery } from './store.js';

export interface DefinitionRow {
  tenant: string;
  name: string;
  type: string;
  config: string;
  topic_filter: string;
  failure_strategy: string;
  delivery: string;
  transform: string | null;
  desired_state: string;
  description: string;
  created_at: string;
  updated_at: string;
  revision: number;
}

export const SORT_COLUMNS: Record<ListQuery['sortField'], string> = { name: 'name', tenant: 'tenant', type: 'type', created_at: 'created_at', updated_at: 'updated_at' };

export function fromRow(r: DefinitionRow, sealer?: SecretSealer): ConnectorDefinition {
  const stored = JSON.parse(r.config) as Record<string, unknown>;
  return {
    tenant: r.tenant,
    name: r.name,
    type: r.type,
    config: sealer ? sealer.open(r.type, stored, `connector ${r.tenant}/${r.name}`) : stored,
    topic_filter: r.topic_filter,
    failure_strategy: JSON.parse(r.failure_strategy) as ConnectorDefinition['failure_strategy'],
    delivery: JSON.parse(r.delivery) as ConnectorDefinition['delivery'],
    ...(r.transform ? { transform: JSON.parse(r.transform) as NonNullable<ConnectorDefinition['transform']> } : {}),
    desired_state: r.desired_state as ConnectorDefinition['desired_state'],
    description: r.description,
    created_at: r.created_at,
    updated_at: r.updated_at,
    revision: r.revision,
  };
}

/** The JSON columns of a definition (config as stored: `sealer` seals its secrets). */
export function jsonColumns(def: DefinitionContent, sealer: SecretSealer): { config: string; failure_strategy: string; delivery: string; transform: string | null } {
  return {
    config: JSON.stringify(sealer.seal(def.type, def.config)),
    failure_strategy: JSON.stringify(def.failure_strategy),
    delivery: JSON.stringify(def.delivery),
    transform: def.transform ? JSON.stringify(def.transform) : null,
  };
}
