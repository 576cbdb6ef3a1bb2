// The newest appended records of one connector, kept in memory so that the connector loop reads
// what was just appended without a SELECT and without decoding rows back into records (the
// journal's rows stay the durable copy). The tail holds one contiguous run of offsets; an append
// that would not continue it, or that finds it full, is left to the database. Anything that
// changes rows behind the journal's back (a dropped oldest row, a rolled-back append group)
// clears it.
import type { SinkRecord } from '../connectors/sink.js';

export interface TailLimits {
  records: number;
  bytes: number;
}

/** Enough for several batches of the largest batch_size, and small next to the process floor. */
export const DEFAULT_TAIL_LIMITS: TailLimits = { records: 20_000, bytes: 8 * 1024 * 1024 };

const recordBytes = (r: SinkRecord) => r.payload.length + r.topic.length;

export class JournalTail {
  private items: SinkRecord[] = [];
  /** index of the oldest record still held in `items` (the ones before were trimmed) */
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: TailLimits = DEFAULT_TAIL_LIMITS) {}

  /** Offset of the newest record held, or 0. */
  get lastOffset(): number {
    return this.items.length > this.head ? (this.items[this.items.length - 1] as SinkRecord).offset : 0;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Keeps `r` when it continues the run and there is room; returns whether it was kept. */
  push(r: SinkRecord): boolean {
    const n = this.size;
    if (n > 0 && r.offset !== this.lastOffset + 1) return false;
    const b = recordBytes(r);
    if (n >= this.limits.records || this.bytes + b > this.limits.bytes) return false;
    this.items.push(r);
    this.bytes += b;
    return true;
  }

  /**
   * Up to `limit` records from offset `after + 1` on, or undefined when the tail does not start at
   * or before it (the caller reads the database instead). May return fewer than `limit` when the
   * tail ends: the caller reads the rest after `lastOffset`.
   */
  from(after: number, limit: number): SinkRecord[] | undefined {
    if (this.size === 0) return undefined;
    const first = (this.items[this.head] as SinkRecord).offset;
    const start = after + 1;
    if (start < first || start > this.lastOffset) return undefined;
    const i = this.head + (start - first);
    return this.items.slice(i, i + limit);
  }

  /** Forgets every record up to `offset` (committed: never read again by this incarnation's loop from here). */
  trimThrough(offset: number): void {
    while (this.head < this.items.length && (this.items[this.head] as SinkRecord).offset <= offset) {
      this.bytes -= recordBytes(this.items[this.head] as SinkRecord);
      this.head += 1;
    }
    if (this.head === this.items.length) this.clear();
    else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}
