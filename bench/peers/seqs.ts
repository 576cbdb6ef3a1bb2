// Which of the published sequence numbers 0..n-1 arrived, and how often: read from whatever a
// product wrote (JSON lines, Influx line protocol, raw payloads), since every format keeps the
// payload's `"seq":<n>` (JSON-escaped or not).
const SEQ = /seq\\?":(\d+)/g;

export interface Delivery {
  /** distinct sequence numbers of 0..n-1 seen */
  distinct: number;
  /** n - distinct */
  missing: number;
  /** copies beyond the first */
  duplicates: number;
}

export class SeqCounter {
  private readonly counts: Uint16Array;
  private distinctSeen = 0;
  private total = 0;

  constructor(readonly n: number) {
    this.counts = new Uint16Array(n);
  }

  /** counts every sequence number of 0..n-1 in `text` (others, e.g. warm-up messages, are left out) */
  add(text: string): void {
    for (const m of text.matchAll(SEQ)) this.one(Number(m[1]));
  }

  one(seq: number): void {
    if (!(seq >= 0 && seq < this.n)) return;
    const c = this.counts[seq] as number;
    if (c === 0) this.distinctSeen += 1;
    if (c < 0xffff) this.counts[seq] = c + 1;
    this.total += 1;
  }

  get distinct(): number {
    return this.distinctSeen;
  }

  delivery(): Delivery {
    return { distinct: this.distinctSeen, missing: this.n - this.distinctSeen, duplicates: this.total - this.distinctSeen };
  }
}
