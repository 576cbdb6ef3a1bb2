// Acceptance: a replay of 20,000 dead letters runs through the connector's own loop while new
// messages keep arriving: one writer for the file sink (every line intact), memory bounded by a
// page (not by the table), ids and order of the original records kept, counters settled.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Journal } from '../../src/core/journal.js';
import { tempDir } from '../helpers/server.js';
import { Api, assertAccounting, publishNumbered, range, seqPayload, startMosquitto, waitFor } from '../helpers/runtime.js';
import { startSluiceProcess, type SluiceProcess } from '../helpers/sluice-process.js';

const DEAD = 20_000;
const PAYLOAD_BYTES = 8192;
const LIVE = 2000;

/** Resident set size of a process, in bytes. */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Writes `n` dead letters for default/`name` through the journal's own API (counters stay consistent). */
async function seedDeadLetters(journalPath: string, name: string, n: number): Promise<string[]> {
  const j = new Journal(journalPath);
  const c = j.connector('default', name);
  for (let i = 0; i < n; i++) c.append({ topic: `rp/dead/${i}`, payload: Buffer.from(JSON.stringify({ dead: i, pad: 'x'.repeat(PAYLOAD_BYTES) })), qos: 1, retain: false });
  j.commitGroup();
  const ids: string[] = [];
  for (;;) {
    const recs = c.read(1000);
    if (recs.length === 0) break;
    const last = recs[recs.length - 1] as (typeof recs)[number];
    c.commit({ upTo: last.offset, written: 0, discarded: {}, retries: 0, deadLetters: recs.map((record) => ({ record, error_message: 'HTTP 400 (seeded)', retry_times: 0, dead_letter_timestamp: Date.now() })) }, recs);
    ids.push(...recs.map((r) => r.id));
  }
  await j.close();
  return ids;
}

test('replay of 20,000 dead letters while the loop runs: bounded memory, ids and order kept, file intact', { timeout: 300_000 }, async (t) => {
  const { svc, url } = await startMosquitto();
  t.after(() => svc.stop());
  const dir = tempDir('sluice-replay-');
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  const env = { SLUICE_DB: join(dir, 'sluice.db'), SLUICE_MQTT_URL: url, SLUICE_LOG_LEVEL: 'warn' };
  const out = join(dir, 'out.jsonl');
  const procs: SluiceProcess[] = [];
  t.after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
  });

  const first = await startSluiceProcess(env);
  procs.push(first);
  await new Api(first.url).create({ name: 'r', type: 'file', topic_filter: 'rp/live', config: { local_file_path: out }, delivery: { batch_size: 200, linger_ms: 5 } });
  await first.kill('SIGTERM');
  const seeded = await seedDeadLetters(join(dir, 'journal.db'), 'r', DEAD);

  const second = await startSluiceProcess(env);
  procs.push(second);
  const api = new Api(second.url);
  await api.until('r', 'running', (s) => s.state === 'running' && s.source_connected);
  const dl = await api.ok<{ total: number }>('GET', '/api/v1/connectors/r/dead-letters?limit=1');
  assert.equal(dl.total, DEAD);

  const pid = second.child.pid as number;
  const rssBefore = rssOf(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(pid))), 25);
  t.after(() => clearInterval(sampler));

  const live = publishNumbered({ url, seqs: range(1, LIVE + 1), topic: () => 'rp/live', window: 50, pause: { every: 100, ms: 20 }, clientId: 'rp-pub', payload: seqPayload });
  const replayed = await api.ok<{ replayed: number; failed: number }>('POST', '/api/v1/connectors/r/dead-letters/replay', {});
  await live;
  const s = await api.until('r', 'live messages written', (x) => x.written === LIVE && x.pending === 0, 120_000);
  clearInterval(sampler);

  assert.deepEqual(replayed, { replayed: DEAD, failed: 0 });
  assert.equal(s.dlq_replayed, DEAD);
  assertAccounting(s);
  assert.equal((await api.ok<{ total: number }>('GET', '/api/v1/connectors/r/dead-letters?limit=1')).total, 0, 'written dead letters left the table');

  const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l.length > 0);
  const records = lines.map((l, i) => {
    try {
      return JSON.parse(l) as { id: string; topic: string; payload: string };
    } catch {
      throw new Error(`line ${i + 1} of the file is not intact JSON: ${l.slice(0, 80)}…`);
    }
  });
  const replayedIds = records.filter((r) => r.topic.startsWith('rp/dead/')).map((r) => r.id);
  assert.equal(replayedIds.length, DEAD, 'every dead letter written exactly once');
  assert.deepEqual(replayedIds, seeded, 'replayed in the original order, each with the id of its original record');
  const liveSeqs = records.filter((r) => r.topic === 'rp/live').map((r) => (JSON.parse(r.payload) as { seq: number }).seq);
  assert.deepEqual(new Set(liveSeqs).size, LIVE, 'every live message written while the replay ran');

  const grewMb = (rssPeak - rssBefore) / 2 ** 20;
  const tableMb = (DEAD * PAYLOAD_BYTES) / 2 ** 20;
  console.log(`[replay] ${DEAD} dead letters (${tableMb.toFixed(0)} MiB of payload) replayed beside ${LIVE} live messages; RSS ${(rssBefore / 2 ** 20).toFixed(0)} → peak ${(rssPeak / 2 ** 20).toFixed(0)} MiB (+${grewMb.toFixed(0)})`);
  assert.ok(grewMb < tableMb * 0.8, `memory grew by ${grewMb.toFixed(0)} MiB during the replay of ${tableMb.toFixed(0)} MiB of dead letters: not bounded by a page`);
  await waitFor('nothing pending', async () => ((await api.status('r')).pending === 0 ? true : undefined));
});
