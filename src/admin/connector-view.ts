// What reads of a connector return: the definition with its secrets redacted, plus runtime state.
import type { ConnectorDefinition } from '../metadata/definition.js';
import { parseConnectorType } from '../metadata/registry.js';
import { redactConfig } from '../metadata/secrets.js';

export interface ConnectorView extends Omit<ConnectorDefinition, 'config'> {
  config: Record<string, unknown>;
}

export function toView(def: ConnectorDefinition): ConnectorView {
  const type = parseConnectorType(def.type);
  return { ...def, config: redactConfig(type.schema, def.config) };
}
