// The connector loop with several batches in flight (delivery.max_in_flight): batches complete out
// of order but are committed in offset order; failure strategies, bisection, dead letters and the
// unavailable wait mean what they mean with one batch; a stop commits only the settled prefix.
// A real journal (SQLite in a temp dir); the sink is a scripted ConnectorSink.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type BatchResult, type ConnectorSink, SinkError, type SinkRecord } from '../../src/connectors/sink.js';
import { ConnectorLoop } from '../../src/core/connector-loop.js';
import type { DeadLetterMessage, DeadLetterPublisher } from '../../src/core/dlq-publisher.js';
import { type ConnectorJournal, Journal } from '../../src/core/journal.js';
import type { Delivery } from '../../src/metadata/delivery.js';
import { DEFAULT_FAILURE_STRATEGY, type FailureStrategy } from '../../src/metadata/failure-strategy.js';
import { waitFor } from '../helpers/runtime.js';
import { tempDir } from '../helpers/server.js';

const delivery = (batch: number): Delivery => ({ batch_size: batch, linger_ms: 0, max_journal_bytes: 1 << 30, on_journal_full: 'backpressure', qos: 1 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sink scripted per record: `bad` payloads fail permanently; `delay(batch)` sets how long each call takes. */
class ScriptedSink implements ConnectorSink {
  calls = 0;
  active = 0;
  maxActive = 0;
  written: string[] = [];
  unavailableCalls = 0;
  delay: (firstOffset: number) => number = () => 0;
  constructor(private readonly failKind: (r: SinkRecord) => SinkError['kind'] | undefined = (r) => (r.payload.toString().startsWith('bad') ? 'permanent' : undefined)) {}
  async validate(): Promise<void> {}
  async init(): Promise<void> {}
  async cleanup(): Promise<void> {}
  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    this.calls++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await sleep(this.delay(records[0]?.offset ?? 0));
      if (this.unavailableCalls > 0) {
        this.unavailableCalls--;
        throw SinkError.unavailable('target down');
      }
      const failed: BatchResult['failed'] = [];
      records.forEach((r, index) => {
        const kind = this.failKind(r);
        if (kind === 'permanent') failed.push({ index, error: SinkError.permanent(`bad record ${r.id}`) });
        else if (kind === 'retriable') failed.push({ index, error: SinkError.retriable(`try again ${r.id}`) });
        else this.written.push(r.id);
      });
      return { failed };
    } finally {
      this.active--;
    }
  }
}

class Dlq implements DeadLetterPublisher {
  published: DeadLetterMessage[] = [];
  async publish(_topic: string, m: DeadLetterMessage): Promise<void> {
    this.published.push(m);
  }
  async close(): Promise<void> {}
}

describe('pipelined connector loop', () => {
  let dir: string;
  let journal: Journal;
  let cj: ConnectorJournal;
  const loops: ConnectorLoop[] = [];

  beforeEach(() => {
    dir = tempDir('sluice-pipeline-');
    journal = new Journal(join(dir, 'journal.db'));
    cj = journal.connector('default', 'p');
  });
  afterEach(async () => {
    for (const l of loops.splice(0)) await l.stop();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function fill(n: number, payload: (i: number) => string = (i) => `m${i}`): Promise<void> {
    for (let i = 0; i < n; i++) cj.append({ topic: 't/a', payload: Buffer.from(payload(i)), qos: 1, retain: false });
    await nextTurn();
  }

  function loop(sink: ConnectorSink, maxInFlight: number, o: { batch?: number; strategy?: FailureStrategy; dlq?: Dlq; commits?: number[] } = {}): ConnectorLoop {
    const l = new ConnectorLoop({
      tenant: 'default',
      name: 'p',
      journal: cj,
      deadLetters: journal.deadLetters,
      sink,
      strategy: o.strategy ?? { ...DEFAULT_FAILURE_STRATEGY, wait_time_ms: 5 },
      delivery: delivery(o.batch ?? 10),
      dlq: o.dlq ?? new Dlq(),
      maxInFlight,
      log: () => undefined,
      onOutcome: (_outcome, records) => o.commits?.push((records[records.length - 1] as SinkRecord).offset),
    });
    loops.push(l);
    l.start();
    return l;
  }

  const drained = (n: number) => waitFor(`${n} records settled`, () => (cj.snapshot().received === n && cj.read(1).length === 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 10 });

  test('batches written at once, finishing out of order, are committed in offset order', async () => {
    await fill(200);
    const sink = new ScriptedSink();
    // the first batch of each group of four takes longest: later ones finish first
    sink.delay = (first) => 40 - ((Math.floor((first - 1) / 10) % 4) * 10);
    const commits: number[] = [];
    loop(sink, 4, { commits });
    await drained(200);
    assert.equal(sink.maxActive, 4, 'four batches were on the wire at once');
    assert.deepEqual(commits, [...commits].sort((a, b) => a - b), 'commits in offset order');
    assert.equal(commits.length, 20);
    assert.equal(cj.snapshot().written, 200);
    assert.equal(new Set(sink.written).size, 200);
    assert.equal(cj.accountingOk(), true);
  });

  test('permanent failures and dead letters come out the same with 1 and with 8 batches in flight', async () => {
    const run = async (k: number) => {
      const dlq = new Dlq();
      const sink = new ScriptedSink();
      sink.delay = (first) => (first % 3) * 3;
      loop(sink, k, { dlq });
      await drained(300);
      const s = cj.snapshot();
      return { written: s.written, dead: s.dead_lettered, published: dlq.published.length, calls: sink.calls };
    };
    await fill(300, (i) => (i % 17 === 0 ? `bad${i}` : `m${i}`));
    const one = await run(1);
    for (const l of loops.splice(0)) await l.stop();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
    dir = tempDir('sluice-pipeline-');
    journal = new Journal(join(dir, 'journal.db'));
    cj = journal.connector('default', 'p');
    await fill(300, (i) => (i % 17 === 0 ? `bad${i}` : `m${i}`));
    const eight = await run(8);
    assert.deepEqual({ written: eight.written, dead: eight.dead, published: eight.published }, { written: one.written, dead: one.dead, published: one.published });
    assert.equal(one.dead, 18);
    assert.equal(one.written, 282);
  });

  test('discard_after_retry: retries and discards are counted alike in flight', async () => {
    await fill(100, (i) => (i % 10 === 3 ? `retry${i}` : `m${i}`));
    const sink = new ScriptedSink((r) => (r.payload.toString().startsWith('retry') ? 'retriable' : undefined));
    loop(sink, 4, { strategy: { ...DEFAULT_FAILURE_STRATEGY, strategy: 'discard_after_retry', retry_total_times: 2, wait_time_ms: 5 } });
    await drained(100);
    const s = cj.snapshot();
    assert.equal(s.written, 90);
    assert.equal(s.discarded.retries_exhausted, 10);
    assert.equal(s.retries, 20, 'two retries charged per failing record, nothing more');
  });

  test('an unavailable target: no new batch is handed out while it waits, nothing is charged', async () => {
    await fill(200);
    const sink = new ScriptedSink();
    sink.unavailableCalls = 6;
    sink.delay = () => 5;
    const l = loop(sink, 4, { strategy: { ...DEFAULT_FAILURE_STRATEGY, wait_time_ms: 20 } });
    await waitFor('waiting', () => (l.waiting ? true : undefined), { timeoutMs: 5000, intervalMs: 1 });
    await drained(200);
    const s = cj.snapshot();
    assert.equal(s.written, 200);
    assert.equal(s.retries, 0, 'waiting charged no retry');
    assert.deepEqual(s.discarded, {});
    assert.ok(sink.maxActive <= 4);
    assert.equal(l.waiting, null);
  });

  test('stopped while the oldest batch waits: later batches that were written are not committed, and come again', async () => {
    await fill(40);
    const sink = new ScriptedSink((r) => (r.offset === 1 ? 'retriable' : undefined));
    sink.delay = () => 5;
    const commits: number[] = [];
    const l = loop(sink, 4, { strategy: { ...DEFAULT_FAILURE_STRATEGY, retry_total_times: 1000, wait_time_ms: 60_000 }, commits });
    await waitFor('the later batches written', () => (sink.written.length >= 39 ? true : undefined), { timeoutMs: 5000, intervalMs: 5 });
    await l.stop();
    loops.splice(loops.indexOf(l), 1);
    assert.deepEqual(commits, [], 'nothing passes the unsettled first batch');
    assert.equal(cj.read(100).length, 40, 'all 40 are read again on the next start');
    const again = new ScriptedSink();
    loop(again, 4);
    await drained(40);
    assert.equal(again.written.length, 40, 'the next run writes them (39 of them twice in all: at most max_in_flight × batch_size)');
  });
});
