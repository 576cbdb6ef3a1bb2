// Unit tests of deliverBatch (failure-policy.ts) with a scripted in-memory sink: every strategy ×
// every error kind, retry counts, backoff (fixed, exponential capped, Retry-After), bisection of a
// permanent whole-batch failure, and cancellation through the abort signal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BatchResult, type ConnectorSink, SinkError, type SinkRecord } from '../../src/connectors/sink.js';
import { deliverBatch, type BatchOutcome } from '../../src/core/failure-policy.js';
import { DEFAULT_FAILURE_STRATEGY, type FailureStrategy, type FailureStrategyName } from '../../src/metadata/failure-strategy.js';

function records(n: number, poisonAt?: number): SinkRecord[] {
  return Array.from({ length: n }, (_, i) => ({ id: `e-${i + 1}`, offset: i + 1, topic: 't/x', payload: Buffer.from(i === poisonAt ? 'POISON' : `m${i}`), qos: 1 as const, retain: false, timestamp: 1_700_000_000_000 + i }));
}

/** One call of the fake sink: what it was given and when. */
interface Call {
  offsets: number[];
  at: number;
}

/** A sink whose answer to each call is scripted by `behave(callIndex, records)`. */
class FakeSink implements ConnectorSink {
  readonly calls: Call[] = [];
  readonly written: number[] = [];
  constructor(private readonly behave: (call: number, recs: SinkRecord[]) => BatchResult | Promise<BatchResult>) {}
  async validate(): Promise<void> {}
  async init(): Promise<void> {}
  async cleanup(): Promise<void> {}
  async sendBatch(recs: SinkRecord[]): Promise<BatchResult> {
    const call = this.calls.length;
    this.calls.push({ offsets: recs.map((r) => r.offset), at: performance.now() });
    const r = await this.behave(call, recs);
    const failed = new Set(r.failed.map((f) => f.index));
    recs.forEach((rec, i) => {
      if (!failed.has(i)) this.written.push(rec.offset);
    });
    return r;
  }
}

const OK: BatchResult = { failed: [] };
const retriable = (msg = 'HTTP 429') => SinkError.retriable(msg);
const permanent = (msg = 'HTTP 400') => SinkError.permanent(msg);

function strategy(name: FailureStrategyName, over: Partial<FailureStrategy> = {}): FailureStrategy {
  return { ...DEFAULT_FAILURE_STRATEGY, strategy: name, retry_total_times: 3, wait_time_ms: 5, ...over };
}

const run = (sink: ConnectorSink, recs: SinkRecord[], s: FailureStrategy, signal = new AbortController().signal, hooks = {}) => deliverBatch(sink, recs, s, signal, hooks);

/** The terminal decisions of an outcome in a comparable shape. */
function summary(o: BatchOutcome) {
  return {
    written: o.written,
    discarded: o.discarded.map((d) => [d.index, d.reason, d.retries]).sort(),
    dead: o.toDeadLetter.map((d) => [d.index, d.retries]).sort(),
    retries: o.retries,
    aborted: o.aborted,
  };
}

type Kind = 'none' | 'retriable then ok' | 'always retriable' | 'permanent record' | 'poison in batch';

/** Scripted sinks for each error kind, on a batch of 4 (record index 2 is the bad one where one is). */
const sinks: Record<Kind, () => FakeSink> = {
  none: () => new FakeSink(() => OK),
  // the whole batch fails twice, then works
  'retriable then ok': () =>
    new FakeSink((call) => {
      if (call < 2) throw retriable();
      return OK;
    }),
  'always retriable': () =>
    new FakeSink(() => {
      throw retriable();
    }),
  // the sink reports record 2 as failed permanently, the rest written
  'permanent record': () => new FakeSink((_c, recs) => ({ failed: recs.flatMap((r, i) => (r.offset === 3 ? [{ index: i, error: permanent() }] : [])) })),
  // a permanent whole-batch error whenever the batch holds POISON
  'poison in batch': () =>
    new FakeSink((_c, recs) => {
      if (recs.some((r) => r.payload.toString() === 'POISON')) throw permanent('HTTP 400 POISON');
      return OK;
    }),
};

const R = 3; // retry_total_times
type Expect = ReturnType<typeof summary>;
const table: Record<FailureStrategyName, Record<Kind, Expect>> = {
  discard: {
    none: { written: 4, discarded: [], dead: [], retries: 0, aborted: false },
    'retriable then ok': { written: 0, discarded: [[0, 'retriable_error', 0], [1, 'retriable_error', 0], [2, 'retriable_error', 0], [3, 'retriable_error', 0]], dead: [], retries: 0, aborted: false },
    'always retriable': { written: 0, discarded: [[0, 'retriable_error', 0], [1, 'retriable_error', 0], [2, 'retriable_error', 0], [3, 'retriable_error', 0]], dead: [], retries: 0, aborted: false },
    'permanent record': { written: 3, discarded: [[2, 'permanent_error', 0]], dead: [], retries: 0, aborted: false },
    'poison in batch': { written: 3, discarded: [[2, 'permanent_error', 0]], dead: [], retries: 0, aborted: false },
  },
  discard_after_retry: {
    none: { written: 4, discarded: [], dead: [], retries: 0, aborted: false },
    'retriable then ok': { written: 4, discarded: [], dead: [], retries: 8, aborted: false },
    'always retriable': { written: 0, discarded: [[0, 'retries_exhausted', R], [1, 'retries_exhausted', R], [2, 'retries_exhausted', R], [3, 'retries_exhausted', R]], dead: [], retries: 4 * R, aborted: false },
    'permanent record': { written: 3, discarded: [[2, 'permanent_error', 0]], dead: [], retries: 0, aborted: false },
    'poison in batch': { written: 3, discarded: [[2, 'permanent_error', 0]], dead: [], retries: 0, aborted: false },
  },
  dead_message_queue: {
    none: { written: 4, discarded: [], dead: [], retries: 0, aborted: false },
    'retriable then ok': { written: 4, discarded: [], dead: [], retries: 8, aborted: false },
    'always retriable': { written: 0, discarded: [], dead: [[0, R], [1, R], [2, R], [3, R]], retries: 4 * R, aborted: false },
    'permanent record': { written: 3, discarded: [], dead: [[2, 0]], retries: 0, aborted: false },
    'poison in batch': { written: 3, discarded: [], dead: [[2, 0]], retries: 0, aborted: false },
  },
};

/** sendBatch calls each case makes (bisection of 4 with the poison at index 2: [4] → [0,1] ok, [2,3] → [2] bad, [3] ok). */
const expectedCalls: Record<FailureStrategyName, Record<Kind, number>> = {
  discard: { none: 1, 'retriable then ok': 1, 'always retriable': 1, 'permanent record': 1, 'poison in batch': 5 },
  discard_after_retry: { none: 1, 'retriable then ok': 3, 'always retriable': 1 + R, 'permanent record': 1, 'poison in batch': 5 },
  dead_message_queue: { none: 1, 'retriable then ok': 3, 'always retriable': 1 + R, 'permanent record': 1, 'poison in batch': 5 },
};

describe('deliverBatch: strategy × error kind', () => {
  for (const [name, kinds] of Object.entries(table) as [FailureStrategyName, Record<Kind, Expect>][]) {
    for (const [kind, expected] of Object.entries(kinds) as [Kind, Expect][]) {
      test(`${name} / ${kind}`, async () => {
        const sink = sinks[kind]();
        const recs = records(4, kind === 'poison in batch' ? 2 : undefined);
        let retryHook = 0;
        let sends = 0;
        const out = await run(sink, recs, strategy(name), undefined, { onRetry: (n: number) => (retryHook += n), observeSend: () => (sends += 1) });
        assert.deepEqual(summary(out), expected);
        assert.equal(sink.calls.length, expectedCalls[name][kind], `sendBatch calls: ${JSON.stringify(sink.calls.map((c) => c.offsets))}`);
        assert.equal(retryHook, out.retries, 'onRetry reports every re-send that is counted');
        assert.equal(sends, sink.calls.length, 'observeSend sees every call');
        // every record has exactly one terminal outcome
        assert.equal(out.written + out.discarded.length + out.toDeadLetter.length, recs.length);
        if (out.written < recs.length || kind === 'retriable then ok') assert.ok(out.lastError, 'the error is reported');
        else assert.equal(out.lastError, undefined);
        if (kind === 'poison in batch') {
          assert.deepEqual(sink.written.sort(), [1, 2, 4], 'the good records were written exactly once');
          assert.deepEqual(sink.calls[0]?.offsets, [1, 2, 3, 4], 'the whole batch was tried first');
          assert.match(out.lastError ?? '', /POISON/);
        }
      });
    }
  }
});

describe('deliverBatch: retries', () => {
  test('only the records still failing are re-sent', async () => {
    // record offset 2 fails (retriable) twice, the others are written on the first call
    let fails = 0;
    const sink = new FakeSink((_c, recs) => ({
      failed: recs.flatMap((r, i) => (r.offset === 2 && fails++ < 2 ? [{ index: i, error: retriable() }] : [])),
    }));
    const out = await run(sink, records(4), strategy('discard_after_retry'));
    assert.deepEqual(summary(out), { written: 4, discarded: [], dead: [], retries: 2, aborted: false });
    assert.deepEqual(sink.calls.map((c) => c.offsets), [[1, 2, 3, 4], [2], [2]]);
    assert.deepEqual(sink.written.sort(), [1, 2, 3, 4]);
  });

  test('a record that turns permanent during the retries is not retried further', async () => {
    const sink = new FakeSink((call) => {
      if (call === 0) throw retriable();
      throw permanent();
    });
    const out = await run(sink, records(1), strategy('dead_message_queue'));
    assert.deepEqual(summary(out), { written: 0, discarded: [], dead: [[0, 1]], retries: 1, aborted: false });
    assert.equal(sink.calls.length, 2);
  });

  test('a sink throwing a plain Error counts as unavailable: it waits, nothing is charged', async () => {
    const sink = new FakeSink((call) => {
      if (call === 0) throw new Error('socket hang up');
      return OK;
    });
    const out = await run(sink, records(2), strategy('discard_after_retry'));
    assert.deepEqual(summary(out), { written: 2, discarded: [], dead: [], retries: 0, aborted: false });
  });

  test('fixed backoff waits wait_time_ms between attempts', async () => {
    const sink = new FakeSink(() => {
      throw retriable();
    });
    await run(sink, records(1), strategy('discard_after_retry', { retry_total_times: 3, wait_time_ms: 40 }));
    const gaps = sink.calls.slice(1).map((c, i) => c.at - (sink.calls[i] as Call).at);
    assert.equal(gaps.length, 3);
    for (const g of gaps) assert.ok(g >= 35 && g < 200, `gap ${g.toFixed(1)} ms ≈ 40`);
  });

  test('exponential backoff doubles from wait_time_ms and is capped at max_wait_ms', async () => {
    const sink = new FakeSink(() => {
      throw retriable();
    });
    await run(sink, records(1), strategy('discard_after_retry', { retry_total_times: 6, wait_time_ms: 20, backoff: 'exponential', max_wait_ms: 80 }));
    const gaps = sink.calls.slice(1).map((c, i) => c.at - (sink.calls[i] as Call).at);
    assert.equal(gaps.length, 6);
    // without jitter 20, 40, 80, 160→80, …; jitter multiplies by 1–2 before the cap
    const floors = [20, 40, 80, 80, 80, 80];
    gaps.forEach((g, i) => {
      assert.ok(g >= (floors[i] as number) - 5, `gap ${i} = ${g.toFixed(1)} ms ≥ ${floors[i]}`);
      assert.ok(g <= 80 + 60, `gap ${i} = ${g.toFixed(1)} ms is capped near 80`);
    });
  });

  test('Retry-After longer than the backoff is honoured (up to max_wait_ms)', async () => {
    const sink = new FakeSink((call) => {
      if (call === 0) throw SinkError.retriable('HTTP 429', 150);
      return OK;
    });
    const out = await run(sink, records(1), strategy('discard_after_retry', { wait_time_ms: 10 }));
    assert.equal(out.written, 1);
    const gap = (sink.calls[1] as Call).at - (sink.calls[0] as Call).at;
    assert.ok(gap >= 140, `waited ${gap.toFixed(1)} ms for Retry-After 150 ms`);
    assert.ok(gap < 1000);

    const capped = new FakeSink((call) => {
      if (call === 0) throw SinkError.retriable('HTTP 429', 60_000);
      return OK;
    });
    const t0 = performance.now();
    await run(capped, records(1), strategy('discard_after_retry', { wait_time_ms: 10, max_wait_ms: 100 }));
    assert.ok(performance.now() - t0 < 1000, 'a huge Retry-After is capped by max_wait_ms');
  });
});

describe('deliverBatch: an unavailable target', () => {
  const unavailable = (msg = 'HTTP 503') => SinkError.unavailable(msg);

  for (const name of ['discard', 'discard_after_retry', 'dead_message_queue'] as const) {
    test(`${name}: waits without charging any retry, then delivers everything in order`, async () => {
      const sink = new FakeSink((call) => {
        if (call < 2) throw unavailable();
        return OK;
      });
      const waits: number[] = [];
      let available = 0;
      let retryHook = 0;
      const out = await run(sink, records(5), strategy(name, { retry_total_times: 1 }), undefined, {
        onWaiting: (_e: SinkError, at: number) => waits.push(at - Date.now()),
        onAvailable: () => (available += 1),
        onRetry: (n: number) => (retryHook += n),
      });
      assert.deepEqual(summary(out), { written: 5, discarded: [], dead: [], retries: 0, aborted: false });
      assert.equal(sink.calls.length, 3, 'never bisected: the whole batch is sent again');
      assert.ok(sink.calls.every((c) => c.offsets.join() === '1,2,3,4,5'));
      assert.equal(waits.length, 2);
      assert.ok((waits[0] as number) >= 400 && (waits[0] as number) <= 700, `first wait ${waits[0]} ms ≈ 500`);
      assert.ok((waits[1] as number) > (waits[0] as number), 'the wait grows');
      assert.equal(available, 1);
      assert.equal(retryHook, 0);
    });
  }

  test('only the records the target could not take are sent again after the wait', async () => {
    // record 3 is refused as unavailable (e.g. its partition leader is away), the rest written
    let refused = 0;
    const sink = new FakeSink((_c, recs) => ({ failed: recs.flatMap((r, i) => (r.offset === 3 && refused++ < 1 ? [{ index: i, error: unavailable('leader not available') }] : [])) }));
    const out = await run(sink, records(4), strategy('discard'));
    assert.deepEqual(summary(out), { written: 4, discarded: [], dead: [], retries: 0, aborted: false });
    assert.deepEqual(sink.calls.map((c) => c.offsets), [[1, 2, 3, 4], [3]]);
  });

  test('a round mixing unavailable and retriable failures charges nobody', async () => {
    let call = 0;
    const sink = new FakeSink((_c, recs) => {
      call += 1;
      if (call > 1) return OK;
      return { failed: recs.map((_r, i) => ({ index: i, error: i === 0 ? unavailable() : retriable() })) };
    });
    const out = await run(sink, records(3), strategy('discard'));
    assert.deepEqual(summary(out), { written: 3, discarded: [], dead: [], retries: 0, aborted: false });
  });

  test('a stop during the wait returns aborted at once, with nothing terminal', async () => {
    const sink = new FakeSink(() => {
      throw unavailable();
    });
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 100);
    const out = await run(sink, records(3), strategy('dead_message_queue'), ac.signal);
    assert.ok(performance.now() - t0 < 450);
    assert.deepEqual(summary(out), { written: 0, discarded: [], dead: [], retries: 0, aborted: true });
  });

  test("give_up (a replay) returns at the first unavailability with the error, keeping what was written", async () => {
    const sink = new FakeSink((_c, recs) => ({ failed: recs.flatMap((r, i) => (r.offset > 2 ? [{ index: i, error: unavailable('connection refused') }] : [])) }));
    const out = await run(sink, records(4), strategy('dead_message_queue'), undefined, { onUnavailable: 'give_up' });
    assert.equal(out.aborted, true);
    assert.equal(out.unavailable?.message, 'connection refused');
    assert.deepEqual(out.writtenIndexes, [0, 1]);
    assert.equal(sink.calls.length, 1);
  });

  test("the target's Retry-After lengthens the wait", async () => {
    const sink = new FakeSink((call) => {
      if (call === 0) throw SinkError.unavailable('HTTP 503', 1200);
      return OK;
    });
    const out = await run(sink, records(1), strategy('discard'));
    assert.equal(out.written, 1);
    const gap = (sink.calls[1] as Call).at - (sink.calls[0] as Call).at;
    assert.ok(gap >= 1150, `waited ${gap.toFixed(0)} ms for Retry-After 1200 ms`);
  });
});

describe('deliverBatch: cancellation', () => {
  test('abort interrupts a long retry wait quickly and returns aborted', async () => {
    const sink = new FakeSink(() => {
      throw retriable();
    });
    const ac = new AbortController();
    const t0 = performance.now();
    const p = run(sink, records(3), strategy('dead_message_queue', { retry_total_times: 5, wait_time_ms: 60_000 }), ac.signal);
    setTimeout(() => ac.abort(), 50);
    const out = await p;
    const took = performance.now() - t0;
    assert.ok(took < 1000, `returned ${took.toFixed(0)} ms after the start (the wait was 60 s)`);
    assert.equal(out.aborted, true);
    assert.equal(out.written, 0);
    assert.equal(out.toDeadLetter.length, 0, 'an aborted batch has no terminal outcome: nothing is dead-lettered');
    assert.equal(out.discarded.length, 0);
    assert.equal(sink.calls.length, 1);
  });

  test('abort during a Retry-After wait returns quickly too', async () => {
    const sink = new FakeSink(() => {
      throw SinkError.retriable('HTTP 429', 30_000);
    });
    const ac = new AbortController();
    const t0 = performance.now();
    const p = run(sink, records(1), strategy('discard_after_retry', { wait_time_ms: 10, max_wait_ms: 60_000 }), ac.signal);
    setTimeout(() => ac.abort(), 50);
    const out = await p;
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(out.aborted, true);
    assert.equal(out.discarded.length, 0);
  });

  test('a write on the wire when the abort comes is let finish: its outcome counts', async () => {
    const sink = new FakeSink(async () => {
      await new Promise((r) => setTimeout(r, 150));
      return OK;
    });
    const ac = new AbortController();
    const p = run(sink, records(2), strategy('discard_after_retry'), ac.signal);
    setTimeout(() => ac.abort(), 30);
    const out = await p;
    assert.equal(out.aborted, false, 'every record reached a terminal outcome');
    assert.equal(out.written, 2);
  });

  test('an already aborted signal sends nothing', async () => {
    const sink = new FakeSink(() => OK);
    const ac = new AbortController();
    ac.abort();
    const out = await run(sink, records(2), strategy('discard_after_retry'), ac.signal);
    assert.equal(out.aborted, true);
    assert.equal(sink.calls.length, 0);
  });
});
