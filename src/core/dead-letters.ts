// The local dead-letter table: list, show, take for replay, purge.
import type Database from 'better-sqlite3';
import type { DeadLetterItem } from './runtime-port.js';
import type { SinkRecord } from '../connectors/sink.js';
import { maskText } from '../metadata/secret-masking.js';
import { decodeProps, encodeProps } from './record-codec.js';

export interface NewDeadLetter {
  record: SinkRecord;
  error_message: string;
  retry_times: number;
  dead_letter_timestamp: number;
}


interface Row {
  id: number;
  source_topic: string;
  error_message: string;
  retry_times: number;
  payload: Buffer;
  qos: number;
  retain: number;
  props: string | null;
  original_timestamp: number;
  dead_letter_timestamp: number;
  record_id: string;
  /** null for dead letters stored before record ids existed */
  record_offset: number | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function payloadText(payload: Buffer): { payload: string; payload_encoding: 'utf8' | 'base64' } {
  try {
    return { payload: utf8.decode(payload), payload_encoding: 'utf8' };
  } catch {
    return { payload: payload.toString('base64'), payload_encoding: 'base64' };
  }
}

export function toDeadLetterView(connectorName: string, r: Row): DeadLetterItem {
  return {
    id: r.id,
    connector_name: connectorName,
    source_topic: r.source_topic,
    error_message: r.error_message,
    retry_times: r.retry_times,
    ...payloadText(r.payload),
    qos: r.qos,
    retain: r.retain === 1,
    original_timestamp: r.original_timestamp,
    dead_letter_timestamp: r.dead_letter_timestamp,
  };
}

export interface ReplayItem {
  /** the dead letter's id in the table */
  id: number;
  record: SinkRecord;
}

function toReplayItem(r: Row): ReplayItem {
  const record: SinkRecord = { id: r.record_id, offset: r.record_offset ?? 0, topic: r.source_topic, payload: r.payload, qos: r.qos as 0 | 1 | 2, retain: r.retain === 1, timestamp: r.original_timestamp };
  const props = decodeProps(r.props);
  if (props) record.properties = props;
  return { id: r.id, record };
}

export class DeadLetterStore {
  constructor(private readonly db: Database.Database) {}

  insert(connectorId: number, d: NewDeadLetter): void {
    this.db
      .prepare('INSERT INTO dead_letters (connector_id, record_id, record_offset, source_topic, error_message, retry_times, payload, qos, retain, props, original_timestamp, dead_letter_timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(connectorId, d.record.id, d.record.offset, d.record.topic, maskText(d.error_message), d.retry_times, d.record.payload, d.record.qos, d.record.retain ? 1 : 0, encodeProps(d.record.properties), d.record.timestamp, d.dead_letter_timestamp);
  }

  list(connectorId: number, limit: number, page: number): { rows: Row[]; total: number } {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM dead_letters WHERE connector_id = ?').get(connectorId) as { n: number }).n;
    const rows = this.db.prepare('SELECT * FROM dead_letters WHERE connector_id = ? ORDER BY id LIMIT ? OFFSET ?').all(connectorId, limit, (page - 1) * limit) as Row[];
    return { rows, total };
  }

  get(connectorId: number, id: number): Row | undefined {
    return this.db.prepare('SELECT * FROM dead_letters WHERE connector_id = ? AND id = ?').get(connectorId, id) as Row | undefined;
  }

  /** The next `limit` dead letters after id `afterId`, oldest first, as records keeping the original id and offset. */
  page(connectorId: number, afterId: number, limit: number): ReplayItem[] {
    const rows = this.db.prepare('SELECT * FROM dead_letters WHERE connector_id = ? AND id > ? ORDER BY id LIMIT ?').all(connectorId, afterId, limit) as Row[];
    return rows.map(toReplayItem);
  }

  /** The given dead letters (those that exist), in id order. */
  pick(connectorId: number, ids: readonly number[]): ReplayItem[] {
    return [...new Set(ids)]
      .sort((a, b) => a - b)
      .map((id) => this.get(connectorId, id))
      .filter((r): r is Row => r !== undefined)
      .map(toReplayItem);
  }

  /** The outcome of one replayed page: written ones leave the table, failed ones keep the new error. */
  settleReplay(connectorId: number, written: readonly number[], failed: readonly { id: number; error: string; retries: number }[]): void {
    const del = this.db.prepare('DELETE FROM dead_letters WHERE connector_id = ? AND id = ?');
    const upd = this.db.prepare('UPDATE dead_letters SET error_message = ?, retry_times = retry_times + ? WHERE connector_id = ? AND id = ?');
    for (const id of written) del.run(connectorId, id);
    for (const f of failed) upd.run(maskText(f.error), f.retries + 1, connectorId, f.id);
  }

  purge(connectorId: number, ids?: number[]): number {
    if (!ids) return this.db.prepare('DELETE FROM dead_letters WHERE connector_id = ?').run(connectorId).changes;
    const del = this.db.prepare('DELETE FROM dead_letters WHERE connector_id = ? AND id = ?');
    return this.db.transaction(() => ids.reduce((n, id) => n + del.run(connectorId, id).changes, 0))();
  }
}
