// Every MQTT client id Sluice uses, built in one place. Tenant and connector names are
// [A-Za-z0-9_.-], so ':' and '/' cannot occur in them and serve as unambiguous separators.
import { createHash } from 'node:crypto';

/** MQTT 5 servers must take at least 23 bytes; common brokers take far more; ours stay ≤ 64 */
const MAX_ID = 64;

const hashOf = (tenant: string, name: string): string => createHash('sha256').update(`${tenant}/${name}`).digest('hex');

/**
 * The source session of a connector: `<prefix><tenant>:<name>` (`a_b`/`c` and `a`/`b_c` differ),
 * or `<prefix><32 hex>` (a hash of tenant and name) when that would exceed 64 characters.
 */
export function sourceClientId(prefix: string, tenant: string, name: string): string {
  const id = `${prefix}${tenant}:${name}`;
  return id.length <= MAX_ID ? id : `${prefix}${hashOf(tenant, name).slice(0, 32)}`;
}

/**
 * The id of connectors created before the separator changed: `<prefix><tenant>_<name>`. It is
 * kept for them so that they stay on their broker session (see docs/en/delivery.md, client ids).
 */
export function legacySourceClientId(prefix: string, tenant: string, name: string): string {
  const id = `${prefix}${tenant}_${name}`;
  return id.length <= MAX_ID ? id : `${prefix}${hashOf(tenant, name).slice(0, 32)}`;
}

/** The dead-letter publisher of one Sluice instance: `<prefix>dlq/<instance id>`. */
export function deadLetterClientId(prefix: string, instanceId: string): string {
  return `${prefix}dlq/${instanceId}`;
}

export type ProtocolName = 'v3' | 'v4' | 'v5';

/**
 * A bridge's id on its target broker: `<prefix>_<name>` in the default tenant,
 * `<prefix>_<tenant>:<name>` elsewhere. A long one is hashed to fit 64 characters (23 for
 * MQTT 3.1, whose servers may refuse longer ids).
 */
export function bridgeClientId(prefix: string, tenant: string, name: string, version: ProtocolName): string {
  const id = tenant === 'default' ? `${prefix}_${name}` : `${prefix}_${tenant}:${name}`;
  const max = version === 'v3' ? 23 : MAX_ID;
  if (id.length <= max) return id;
  const head = prefix.slice(0, Math.max(1, max - 17));
  return `${head}_${hashOf(tenant, name).slice(0, max - head.length - 1)}`;
}
