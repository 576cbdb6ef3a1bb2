// What reads of a connector return: the definition with its secrets redacted, plus runtime state.
import type { ConnectorState } from '../core/connector-status.js';
import type { ConnectorDefinition } from '../metadata/definition.js';
import { parseConnectorType } from '../metadata/registry.js';
import { redactConfig } from '../metadata/secrets.js';

export interface ConnectorView extends Omit<ConnectorDefinition, 'config'> {
  config: Record<string, unknown>;
  /** what the connector does now (`desired_state` is what it was told); null when the runtime does not run it */
  state: ConnectorState | null;
}

export function toView(def: ConnectorDefinition, state: ConnectorState | null): ConnectorView {
  const type = parseConnectorType(def.type);
  return { ...def, config: redactConfig(type.schema, def.config), state };
}
