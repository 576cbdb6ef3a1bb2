// Acceptance: Sluice runs as a child process against a real Mosquitto and is SIGKILLed in the
// middle of a stream of numbered QoS 1 messages. Restarted on the same database, it resumes from
// its committed offset: every message the publisher got a PUBACK for is in the output file, and
// duplicates stay within the documented bound (Receive Maximum + one batch).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/server.js';
import { startSluiceProcess, type SluiceProcess } from '../helpers/sluice-process.js';
import { Api, assertAccounting, countSeqs, duplicates, missing, primeWith, publishNumbered, range, readJsonLines, startMosquitto } from '../helpers/runtime.js';

const N = 5000;
const BATCH = 100;
/** the broker's in-flight window to Sluice: the intake half of the duplicate bound */
const RECEIVE_MAXIMUM = 50;

test('SIGKILL mid-stream, restart on the same DB: nothing PUBACKed is lost, duplicates ≤ one batch', { timeout: 240_000 }, async (t) => {
  const { svc, url } = await startMosquitto();
  t.after(() => svc.stop());
  const dir = tempDir('sluice-crash-');
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  const env = { SLUICE_DB: join(dir, 'sluice.db'), SLUICE_MQTT_URL: url, SLUICE_LOG_LEVEL: 'warn', SLUICE_MQTT_RECEIVE_MAXIMUM: String(RECEIVE_MAXIMUM) };
  const out = join(dir, 'out.jsonl');
  const procs: SluiceProcess[] = [];
  t.after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
  });

  const first = await startSluiceProcess(env);
  procs.push(first);
  const api1 = new Api(first.url);
  await api1.create({ name: 'crash', type: 'file', topic_filter: 'crash/data', config: { local_file_path: out }, delivery: { batch_size: BATCH, linger_ms: 10 } });
  await api1.until('crash', 'running', (s) => s.state === 'running');
  await primeWith(api1, 'crash', url, 'crash/data', 0);

  // a lightly paced stream (~1–2 s), so that the kill lands in its middle
  let acks = 0;
  const publishing = publishNumbered({ url, seqs: range(1, N), topic: () => 'crash/data', window: 100, pause: { every: 100, ms: 10 }, clientId: 'crash-pub', onAck: () => (acks += 1) });
  const before = await api1.until('crash', 'some records written', (s) => s.written >= 1000, 60_000);
  const killed = await first.kill('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  // how far the publisher had come; it keeps going, Mosquitto queues for the offline session
  const ackedAtKill = acks;
  const linesAtKill = readJsonLines(out).length;
  t.diagnostic(`killed at written ≥ ${before.written}, file ${linesAtKill} lines, publisher ${ackedAtKill} acknowledged`);
  assert.ok(linesAtKill > 0 && linesAtKill < N, `killed mid-stream (file had ${linesAtKill} of ${N} lines)`);
  assert.ok(ackedAtKill < N - 1, `killed before the publisher finished (${ackedAtKill} acknowledged)`);

  const pub = await publishing;
  assert.ok(pub.acked.size > ackedAtKill, 'the publisher went on while Sluice was down');
  t.diagnostic(`publisher: ${pub.acked.size} acknowledged, ${pub.failed.size} failed`);

  const second = await startSluiceProcess(env);
  procs.push(second);
  const api2 = new Api(second.url);
  const s = await api2.settled('crash', 2000, 120_000);

  const records = readJsonLines(out);
  const counts = countSeqs(records);
  const published = [0, ...pub.acked];
  const lost = missing(published, counts);
  assert.deepEqual(lost.slice(0, 20), [], `${lost.length} acknowledged messages missing after the crash`);
  const dups = duplicates(counts);
  console.log(`[crash] after SIGKILL + restart: ${records.length} lines for ${counts.size} distinct messages (${published.length} acknowledged) → ${dups} duplicates (batch_size ${BATCH})`);
  t.diagnostic(`duplicates after SIGKILL: ${dups}`);
  // the documented bound: the broker's in-flight window (Receive Maximum) + one batch
  assert.ok(dups <= RECEIVE_MAXIMUM + BATCH, `duplicates ${dups} exceed Receive Maximum + one batch (${RECEIVE_MAXIMUM} + ${BATCH})`);
  for (const seq of counts.keys()) assert.ok(seq >= 0 && seq < N, `unexpected sequence number ${seq}`);

  assertAccounting(s, 'after restart');
  assert.equal(s.pending, 0);
  assert.equal(s.discarded_total, 0);
  assert.equal(s.dead_lettered, 0);
  // every journaled message was written once by the counters (a re-sent batch is counted once)
  assert.equal(s.written, s.received);
  assert.ok(s.received >= counts.size, `received ${s.received} < distinct ${counts.size}`);
  assert.ok(s.received <= counts.size + RECEIVE_MAXIMUM, `received ${s.received}: broker redeliveries beyond the in-flight window (${RECEIVE_MAXIMUM})`);
  assert.equal(s.state, 'running');
  assert.equal(s.source_connected, true);
});
