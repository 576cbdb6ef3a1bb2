// Per-type test fixtures derived from the registry and each schema's own `examples` and secret
// markings: no test lists type names or repeats what a schema says. A new type is covered by
// being registered; a schema without whole-config examples, or whose examples leave a secret
// field unset, fails here with what to add.
import type { TObject } from 'typebox';
import type { ConnectorType } from '../../src/metadata/connector-type.js';
import { connectorTypes } from '../../src/metadata/registry.js';
import { HOST_PORT_LIST_PATTERN, isSecretSchema } from '../../src/metadata/schema-kit.js';

type Cfg = Record<string, unknown>;

/** A name that is no connector type and never will be. */
export const NO_SUCH_TYPE = 'no-such-type';

export function typeNames(): string[] {
  return connectorTypes().map((t) => t.name);
}

function examples(type: ConnectorType): Cfg[] {
  const list = (type.schema as TObject & { examples?: unknown }).examples;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`the ${type.name} schema has no examples: give its Type.Object options whole example configs (the first the smallest valid one)`);
  return list as Cfg[];
}

/** The smallest valid config of a type: its schema's first example. */
export function exampleConfig(type: ConnectorType): Cfg {
  return structuredClone(examples(type)[0] as Cfg);
}

/** The fields the schema marks secret. */
export function secretFields(type: ConnectorType): string[] {
  return Object.entries(type.schema.properties).filter(([, s]) => isSecretSchema(s)).map(([name]) => name);
}

/** A valid config with every secret field set to `value(field)`: the example that sets them all, its secrets replaced. */
export function configWithSecrets(type: ConnectorType, value: (field: string) => string): { config: Cfg; secrets: string[] } {
  const secrets = secretFields(type);
  const full = examples(type).find((e) => secrets.every((f) => f in e));
  if (!full) throw new Error(`no example of the ${type.name} schema sets every secret field (${secrets.join(', ')}): add one`);
  const config = structuredClone(full);
  for (const f of secrets) config[f] = value(f);
  return { config, secrets };
}

/** A valid config per type, by name. */
export function exampleConfigs(): Record<string, Cfg> {
  return Object.fromEntries(connectorTypes().map((t) => [t.name, exampleConfig(t)]));
}

/**
 * The config with every address field (URLs, host:port lists) pointed at a closed local port:
 * a server under test starts what it is given, and this way it is refused at once, with no DNS
 * lookup and no traffic leaving the machine.
 */
export function offline(type: ConnectorType, config: Cfg): Cfg {
  const out = { ...config };
  for (const [name, schema] of Object.entries(type.schema.properties) as [string, Record<string, unknown>][]) {
    const v = out[name];
    if (typeof v !== 'string') continue;
    if (schema['x-url'] === true) {
      const u = new URL(v);
      u.host = '127.0.0.1:9';
      out[name] = u.href;
    } else if (schema.pattern === HOST_PORT_LIST_PATTERN) {
      out[name] = '127.0.0.1:9';
    }
  }
  return out;
}
