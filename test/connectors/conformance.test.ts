// One conformance suite every registered connector type passes against its real target (see
// conformance/fixture.ts for what a type provides). The types come from the registry: a new type
// is in the suite by being registered, and fails here until it has conformance/<type>.ts. One
// target per type serves every case; the target is killed and started again for the last one.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BatchResult, type ConnectorSink, SinkError, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { sendWithBisect } from '../../src/core/send-with-bisect.js';
import { compileTransform } from '../../src/core/transform/pipeline.js';
import { deliverTransformed } from '../../src/core/transform-delivery.js';
import { DEFAULT_FAILURE_STRATEGY } from '../../src/metadata/failure-strategy.js';
import { parseTransform, type Transform } from '../../src/metadata/transform.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { connectorTypes } from '../../src/metadata/registry.js';
import type { ConnectorType } from '../../src/metadata/connector-type.js';
import { inFlightOf } from '../../src/metadata/in-flight.js';
import { type ConformanceFixture, type ConformanceTarget, isNotApplicable } from './conformance/fixture.js';

const here = dirname(fileURLToPath(import.meta.url));
const MIN = 60_000;
const logs: string[] = [];
const ctx = (name: string): SinkContext => ({ tenant: 'default', connectorName: `conformance-${name}`, log: (level, message) => logs.push(`${level} ${message}`) });

let clock = 1_790_000_000_000;
/** records with ids `<prefix>-<i>`, distinct timestamps (so no target folds two into one) */
function records(prefix: string, n: number, payload: (i: number) => Buffer): SinkRecord[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, offset: i + 1, topic: `t/${prefix}/${i % 4}`, payload: payload(i), qos: 1 as const, retain: false, timestamp: clock++ }));
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The batch failed as a whole or record by record, every record with kind `kind`; nothing is written. */
async function expectAllFailed(send: Promise<BatchResult>, n: number, kinds: readonly SinkError['kind'][]): Promise<SinkError> {
  let result: BatchResult;
  try {
    result = await send;
  } catch (e) {
    assert.ok(e instanceof SinkError, `not a SinkError: ${String(e)}`);
    assert.ok(kinds.includes(e.kind), `kind ${e.kind} (${e.message}), wanted ${kinds.join(' or ')}`);
    return e;
  }
  assert.equal(result.failed.length, n, `every record fails: ${JSON.stringify(result.failed.map((f) => f.index))}`);
  for (const f of result.failed) assert.ok(kinds.includes(f.error.kind), `kind ${f.error.kind} (${f.error.message}), wanted ${kinds.join(' or ')}`);
  return result.failed[0]?.error as SinkError;
}

/** The ids with `prefix` that arrived, once the expected ones are all there. */
async function arrived(target: ConformanceTarget, prefix: string, expected: readonly string[]): Promise<string[]> {
  const mine = async (): Promise<string[]> => (await target.readIds()).filter((id) => id.startsWith(`${prefix}-`));
  return waitFor(`${expected.length} records ${prefix}-* read back`, async () => {
    const got = await mine();
    return expected.every((id) => got.includes(id)) ? got : undefined;
  });
}

function exactlyOnce(got: readonly string[], expected: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const id of got) counts.set(id, (counts.get(id) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  assert.deepEqual(twice, [], 'written twice');
  assert.deepEqual([...counts.keys()].sort(), [...expected].sort(), 'exactly the expected records arrived');
}

async function loadFixture(type: ConnectorType): Promise<ConformanceFixture | undefined> {
  const file = join(here, 'conformance', `${type.name}.ts`);
  if (!existsSync(file)) return undefined;
  return ((await import(file)) as { fixture: ConformanceFixture }).fixture;
}

// SLUICE_CONFORMANCE_TYPES=a,b runs only those types (a development aid; CI leaves it unset).
const only = process.env.SLUICE_CONFORMANCE_TYPES?.split(',').map((t) => t.trim()).filter(Boolean);
for (const type of connectorTypes()) {
  if (only && only.length > 0 && !only.includes(type.name)) continue;
  describe(`conformance: ${type.name}`, { timeout: 10 * MIN }, () => {
    let fixture: ConformanceFixture | undefined;
    let target: ConformanceTarget;
    const open: ConnectorSink[] = [];
    const sink = async (config = target.config): Promise<ConnectorSink> => {
      const s = await openSink(type, config, ctx(type.name));
      open.push(s);
      return s;
    };
    const started = async (): Promise<ConnectorSink> => {
      const s = await sink();
      await s.init();
      return s;
    };

    before(async () => {
      fixture = await loadFixture(type);
      if (fixture) target = await fixture.start();
    });
    after(async () => {
      for (const s of open) await s.cleanup().catch(() => undefined);
      if (fixture) await target.close();
    });

    test('has a conformance fixture', () => {
      assert.ok(fixture, `connector type ${type.name} is registered but has no test/connectors/conformance/${type.name}.ts exporting a ConformanceFixture`);
      assert.ok(type.loadSink, `connector type ${type.name} has no sink`);
    });

    test('validate, then init and cleanup twice; init after cleanup writes again; sendBatch after cleanup is refused', async () => {
      if (!fixture) return assert.fail('no fixture');
      const s = await sink();
      await s.validate();
      await s.init();
      await s.cleanup();
      await s.cleanup();
      await s.init();
      const [one] = records('reinit', 1, target.payload);
      assert.deepEqual(await s.sendBatch([one as SinkRecord]), { failed: [] });
      await s.cleanup();
      await s.cleanup();
      const late = records('after-cleanup', 1, target.payload);
      await assert.rejects(s.sendBatch(late), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /not started/.test(e.message));
      exactlyOnce(await arrived(target, 'reinit', ['reinit-0']), ['reinit-0']);
      assert.deepEqual((await target.readIds()).filter((id) => id.startsWith('after-cleanup-')), []);
    });

    test('sendBatch before init is refused and writes nothing', async () => {
      if (!fixture) return assert.fail('no fixture');
      const s = await sink();
      await assert.rejects(s.sendBatch(records('early', 1, target.payload)), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable' && /not started/.test(e.message));
      await s.init();
      assert.deepEqual(await s.sendBatch(records('late', 1, target.payload)), { failed: [] });
      await arrived(target, 'late', ['late-0']);
      assert.deepEqual((await target.readIds()).filter((id) => id.startsWith('early-')), []);
      await s.cleanup();
    });

    test('an empty batch succeeds and writes nothing', async () => {
      if (!fixture) return assert.fail('no fixture');
      const s = await started();
      const before = (await target.readIds()).length;
      assert.deepEqual(await s.sendBatch([]), { failed: [] });
      assert.equal((await target.readIds()).length, before);
      await s.cleanup();
    });

    for (const n of [1, 1000]) {
      test(`a batch of ${n}: every record arrives once, with its id visible in the target`, async () => {
        if (!fixture) return assert.fail('no fixture');
        const s = await started();
        const batch = records(`batch${n}`, n, target.payload);
        assert.deepEqual(await s.sendBatch(batch), { failed: [] });
        const ids = batch.map((r) => r.id);
        exactlyOnce(await arrived(target, `batch${n}`, ids), ids);
        await s.cleanup();
      });
    }

    // what the pipelined loop does (delivery.max_in_flight > 1): several batches on one sink at once
    test(`concurrent batches up to the type's max_in_flight (${inFlightOf(type).max}): every record arrives once`, async () => {
      if (!fixture) return assert.fail('no fixture');
      const k = Math.min(inFlightOf(type).max, 8);
      if (k === 1) return; // the type takes one batch at a time (the loop never gives it more)
      const s = await started();
      const batches = Array.from({ length: k }, (_, i) => records(`inflight${i}`, 200, target.payload));
      const results = await Promise.all(batches.map((b) => s.sendBatch(b)));
      for (const r of results) assert.deepEqual(r, { failed: [] });
      for (let i = 0; i < k; i++) {
        const ids = (batches[i] as SinkRecord[]).map((r) => r.id);
        exactlyOnce(await arrived(target, `inflight${i}`, ids), ids);
      }
      await s.cleanup();
    });

    test('through a transform: only the records its filter keeps arrive, once each, mapped', async () => {
      if (!fixture) return assert.fail('no fixture');
      const s = await started();
      // topics t/tf/0 … t/tf/3: the filter drops level 2 = "3"; the map adds a user property every sink carries or ignores
      const transform = compileTransform(parseTransform({ filter: 'topic_levels[2] != "3"', map: { user_properties: '{ "via": "transform" }' } }).value as Transform);
      const batch = records('tf', 40, target.payload);
      const o = await deliverTransformed(transform, s, batch, { ...DEFAULT_FAILURE_STRATEGY, strategy: 'discard' }, new AbortController().signal);
      assert.equal(o.filteredIndexes.length, 10);
      assert.equal(o.written, 30, JSON.stringify(o.discarded.map((d) => d.error.message)));
      const kept = batch.filter((r) => !r.topic.endsWith('/3')).map((r) => r.id);
      exactlyOnce(await arrived(target, 'tf', kept), kept);
      await s.cleanup();
    });

    test('one poison record in a batch: its index is reported permanent, the others arrive', async (t) => {
      if (!fixture) return assert.fail('no fixture');
      const poison = target.poison;
      if (isNotApplicable(poison)) {
        t.skip(`not applicable: ${poison.notApplicable}`);
        return;
      }
      const s = await started();
      const batch = records('poison', 10, target.payload);
      const at = 6;
      batch[at] = { ...(batch[at] as SinkRecord), payload: poison.payload };
      const failures = await sendWithBisect(s, batch);
      assert.deepEqual([...failures.keys()], [at], `only the poison record (${poison.means}) fails: ${[...failures].map(([i, e]) => `${i}: ${e.kind} ${e.message}`).join('; ')}`);
      assert.equal(failures.get(at)?.kind, 'permanent', failures.get(at)?.message);
      const good = batch.filter((_, i) => i !== at).map((r) => r.id);
      exactlyOnce(await arrived(target, 'poison', good), good);
      await s.cleanup();
    });

    test('wrong credentials: init or the write fails as unavailable, nothing arrives', async () => {
      if (!fixture) return assert.fail('no fixture');
      const { config, means } = target.wrongCredentials;
      const s = await sink(config);
      const batch = records('badauth', 3, target.payload);
      let initError: unknown;
      await s.init().catch((e: unknown) => (initError = e));
      if (initError !== undefined) {
        assert.ok(initError instanceof SinkError && initError.kind === 'unavailable', `init with ${means}: ${String(initError)} (${initError instanceof SinkError ? initError.kind : 'untyped'})`);
        await assert.rejects(s.sendBatch(batch), (e: unknown) => e instanceof SinkError && e.kind === 'unavailable');
      } else {
        await expectAllFailed(s.sendBatch(batch), batch.length, ['unavailable']);
      }
      await s.cleanup();
      assert.deepEqual((await target.readIds()).filter((id) => id.startsWith('badauth-')), [], `nothing written with ${means}`);
    });

    test('target killed mid-run: unavailable; started again: the sink writes again and nothing is written twice', { timeout: 5 * MIN }, async () => {
      if (!fixture) return assert.fail('no fixture');
      const s = await started();
      const [a, b, c] = [records('kill-a', 5, target.payload), records('kill-b', 5, target.payload), records('kill-c', 5, target.payload)];
      assert.deepEqual(await s.sendBatch(a), { failed: [] });
      await arrived(target, 'kill-a', a.map((r) => r.id));
      await target.kill();
      try {
        await expectAllFailed(s.sendBatch(b), b.length, ['unavailable']);
      } finally {
        await target.start();
      }
      // the core sends the same records again until they pass; while the target recovers, no
      // failure may be about the records
      await waitFor('the sink writes again after the restart', async () => {
        try {
          const r = await s.sendBatch(b);
          if (r.failed.length === 0) return true;
          for (const f of r.failed) assert.notEqual(f.error.kind, 'permanent', f.error.message);
          if (r.failed.length < b.length) throw new Error(`partly written: ${b.length - r.failed.length} of ${b.length}`);
        } catch (e) {
          if (e instanceof SinkError && e.kind !== 'permanent') return false;
          throw e;
        }
        return false;
      }, 2 * MIN, 500);
      assert.deepEqual(await s.sendBatch(c), { failed: [] });
      for (const [prefix, batch] of [['kill-a', a], ['kill-b', b], ['kill-c', c]] as const) {
        const ids = batch.map((r) => r.id);
        exactlyOnce(await arrived(target, prefix, ids), ids);
      }
      await s.cleanup();
    });
  });
}
