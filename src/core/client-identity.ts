// The client ids this Sluice instance uses on its source broker, from what the journal database
// remembers: the instance id of the data dir, and which connectors predate unambiguous ids.
import type Database from 'better-sqlite3';
import { deadLetterClientId, legacySourceClientId, sourceClientId } from '../mqtt/client-ids.js';

/** The random id of this data dir, created with the journal database. */
export function instanceId(db: Database.Database): string {
  const row = db.prepare('SELECT id FROM instance LIMIT 1').get() as { id: string } | undefined;
  if (!row) throw new Error('journal database has no instance id');
  return row.id;
}

/** A connector's source session id: the legacy form for connectors created before the change. */
export function connectorClientId(db: Database.Database, prefix: string, tenant: string, name: string): string {
  const row = db.prepare('SELECT legacy_client_id FROM connector_state WHERE tenant = ? AND name = ?').get(tenant, name) as { legacy_client_id: number } | undefined;
  return row?.legacy_client_id === 1 ? legacySourceClientId(prefix, tenant, name) : sourceClientId(prefix, tenant, name);
}

export function instanceDeadLetterClientId(db: Database.Database, prefix: string): string {
  return deadLetterClientId(prefix, instanceId(db));
}
