// The packet ids of QoS 2 messages a source session has journaled and answered with PUBREC but
// not yet seen PUBREL for. Kept in the journal database, in the same transaction as the message
// itself: a PUBLISH the broker resends with one of these ids (its PUBREC was lost, or Sluice was
// killed before it left) is a duplicate and is not journaled again. The broker may reuse an id
// only after PUBCOMP, which leaves only once the id's removal is committed.
import type Database from 'better-sqlite3';

export class Qos2Receipts {
  private readonly ids = new Set<number>();
  private readonly stmts;

  constructor(
    db: Database.Database,
    private readonly connectorId: number,
    /** opens (or joins) the journal's append group, so the change commits with the appends */
    private readonly joinGroup: () => void,
  ) {
    this.stmts = {
      add: db.prepare('INSERT OR IGNORE INTO qos2_receipts (connector_id, packet_id) VALUES (?, ?)'),
      remove: db.prepare('DELETE FROM qos2_receipts WHERE connector_id = ? AND packet_id = ?'),
      clear: db.prepare('DELETE FROM qos2_receipts WHERE connector_id = ?'),
      all: db.prepare('SELECT packet_id FROM qos2_receipts WHERE connector_id = ?'),
    };
    this.reload();
  }

  /** Re-reads the ids from the file (after a group commit was rolled back). */
  reload(): void {
    this.ids.clear();
    for (const r of this.stmts.all.all(this.connectorId) as { packet_id: number }[]) this.ids.add(r.packet_id);
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }

  add(id: number): void {
    this.joinGroup();
    this.stmts.add.run(this.connectorId, id);
    this.ids.add(id);
  }

  remove(id: number): void {
    if (!this.ids.delete(id)) return;
    this.joinGroup();
    this.stmts.remove.run(this.connectorId, id);
  }

  /** The broker has no session for us any more (CONNACK without session present): every id is void. */
  clear(): void {
    if (this.ids.size === 0) return;
    this.joinGroup();
    this.stmts.clear.run(this.connectorId);
    this.ids.clear();
  }

  get size(): number {
    return this.ids.size;
  }
}
