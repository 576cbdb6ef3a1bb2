// The journal's checkpoint worker (checkpointer.ts) is watched: a worker that dies or cannot
// start is logged, started again with backoff, reported on /ready and in the metrics; the WAL
// size is a metric.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Checkpointer } from '../../src/core/checkpointer.js';
import { Journal } from '../../src/core/journal.js';
import { RuntimeMetrics } from '../../src/core/metrics.js';
import { openDatabase } from '../../src/sqlite.js';
import { waitFor } from '../helpers/runtime.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const value = async (m: RuntimeMetrics, name: string): Promise<number | undefined> => (await m.registry.getSingleMetric(name)?.get())?.values[0]?.value;

describe('checkpointer', () => {
  let dir: string;
  const stops: (() => Promise<void>)[] = [];

  beforeEach(() => {
    dir = tempDir('sluice-checkpointer-');
  });
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a worker that cannot start is reported and started again until it can', async () => {
    const path = join(dir, 'journal.db');
    const problems: string[] = [];
    const cp = new Checkpointer(path, { onProblem: (kind, m) => problems.push(`${kind}: ${m}`), onAccounting: () => undefined }, { intervalMs: 20, restartMs: 50 });
    stops.push(() => cp.stop());
    await waitFor('two failed starts', () => cp.health().restarts >= 2, { timeoutMs: 10_000 });
    const h = cp.health();
    assert.equal(h.up, false);
    assert.ok(h.failures >= 2);
    assert.match(h.last_error ?? '', /unable to open database file|does not exist/i);
    assert.match(problems[0] ?? '', /^died: journal checkpoint worker died, restarting in 50 ms: /);
    // the file appears: the next start succeeds and stays up
    openDatabase(path).close();
    await waitFor('the worker runs', () => cp.health().up, { timeoutMs: 10_000 });
  });

  test('a journal whose worker dies: logged, restarted, on /ready and in the metrics', async () => {
    const journal = new Journal(join(dir, 'journal.db'), { intervalMs: 20, restartMs: 400 });
    stops.push(() => journal.close());
    const lines: string[] = [];
    const put = (level: string) => (_: object, msg?: string) => lines.push(`${level} ${msg}`);
    const log = { child: () => log, debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error') };
    journal.useLog(log);
    const metrics = new RuntimeMetrics(() => [], () => ({ wal_bytes: journal.walBytes(), checkpoint: journal.checkpointHealth() }));
    await waitFor('the worker runs', () => journal.checkpointHealth()?.up, { timeoutMs: 10_000 });
    const c = journal.connector('default', 'a');
    for (let i = 0; i < 100; i++) c.append({ topic: 't', payload: Buffer.alloc(1000), qos: 1, retain: false });
    await nextTurn();
    assert.ok(((await value(metrics, 'sluice_journal_wal_bytes')) ?? 0) > 100_000, 'the WAL holds the appends');
    assert.equal(await value(metrics, 'sluice_journal_checkpointer_up'), 1);
    assert.equal(journal.checkpointProblem(), undefined);

    await journal.killCheckpointer();
    await waitFor('the death is seen', () => journal.checkpointHealth()?.up === false, { timeoutMs: 5000 });
    assert.match(journal.checkpointProblem() ?? '', /the checkpoint worker is not running \(restarting\)/);
    assert.equal(await value(metrics, 'sluice_journal_checkpointer_up'), 0);
    assert.equal(await value(metrics, 'sluice_journal_checkpoint_failures_total'), 1);
    assert.ok(lines.some((l) => l.startsWith('error journal checkpoint worker died, restarting in 400 ms')), lines.join('\n'));

    await waitFor('the worker runs again', () => journal.checkpointHealth()?.up, { timeoutMs: 10_000 });
    assert.equal(journal.checkpointProblem(), undefined);
    assert.equal(await value(metrics, 'sluice_journal_checkpointer_restarts_total'), 1);
    assert.equal(await value(metrics, 'sluice_journal_checkpointer_up'), 1);
  });

  describe('with a running server', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer();
    });
    afterEach(() => server.cleanup());

    test('/ready is 503 naming the dead checkpoint worker, and 200 once it runs again', async () => {
      // the checkpoint worker starts beside the server: on a loaded machine /ready may say so for a moment
      await waitFor('ready at start', async () => (await server.request('GET', '/ready')).status === 200, { timeoutMs: 10_000 });
      await server.running.journal.killCheckpointer();
      const r = await server.request<{ ready: boolean; reasons?: string[] }>('GET', '/ready');
      assert.equal(r.status, 503, r.text);
      assert.ok(r.body.reasons?.some((x) => /checkpoint worker is not running/.test(x)), r.text);
      const m = await server.request('GET', '/metrics');
      assert.match(m.text, /^sluice_journal_checkpointer_up 0$/m);
      assert.match(m.text, /^sluice_journal_wal_bytes \d+$/m);
      await waitFor('ready again', async () => (await server.request('GET', '/ready')).status === 200, { timeoutMs: 10_000 });
    });
  });
});
