// The embedded broker acknowledges only what is journaled. Sluice runs as a child process with
// its embedded broker (memory only: a kill -9 loses whatever it holds) and is SIGKILLed while a
// QoS 1 publisher has many messages in flight to it. Restarted on the same database and port,
// every message the publisher got a PUBACK for is in the output file.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, tempDir } from '../helpers/server.js';
import { startSluiceProcess, type SluiceProcess } from '../helpers/sluice-process.js';
import { Api, assertAccounting, countSeqs, duplicates, missing, primeWith, publishNumbered, range, readJsonLines } from '../helpers/runtime.js';

const BATCH = 100;
const WINDOW = 500;

test('embedded broker, SIGKILL with 500 QoS 1 messages in flight: nothing acknowledged is lost', { timeout: 180_000 }, async (t) => {
  const dir = tempDir('sluice-embedded-');
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  const port = await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  const env = { SLUICE_DB: join(dir, 'sluice.db'), SLUICE_EMBEDDED_BROKER_PORT: String(port) };
  const out = join(dir, 'out.jsonl');
  const procs: SluiceProcess[] = [];
  t.after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
  });
  const first = await startSluiceProcess(env, 90_000);
  procs.push(first);
  const api1 = new Api(first.url);
  await api1.create({ name: 'emb', type: 'file', topic_filter: 'emb/#', config: { local_file_path: out }, delivery: { batch_size: BATCH, linger_ms: 10 } });
  await api1.until('emb', 'running', (s) => s.state === 'running');
  await primeWith(api1, 'emb', url, 'emb/data', 0);

  const N = 20_000;
  let acks = 0;
  const stop = new AbortController();
  const publishing = publishNumbered({ url, seqs: range(1, N), topic: () => 'emb/data', protocolVersion: 4, window: WINDOW, pause: { every: 500, ms: 20 }, clientId: 'emb-pub', signal: stop.signal, onAck: () => (acks += 1) });
  await api1.until('emb', 'some records written', (s) => s.written >= 2000, 60_000);
  const killed = await first.kill('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  const ackedAtKill = acks;
  t.diagnostic(`killed with ${ackedAtKill} acknowledged`);
  assert.ok(ackedAtKill < N - WINDOW, 'killed mid-stream');

  // the publisher reconnects to the new process on the same port and goes on
  const second = await startSluiceProcess(env, 90_000);
  procs.push(second);
  const api2 = new Api(second.url);
  await api2.until('emb', 'publisher acknowledged again after the restart', () => acks > ackedAtKill + 1000, 60_000);
  stop.abort();
  const pub = await publishing;
  await api2.until('emb', 'every acknowledged message written', (x) => x.written >= pub.acked.size + 1 && x.pending === 0, 60_000);
  const s = await api2.settled('emb', 2000, 60_000);

  const counts = countSeqs(readJsonLines(out));
  const lost = missing([0, ...pub.acked], counts);
  console.log(`[embedded] SIGKILL: ${pub.acked.size} acknowledged (${ackedAtKill} before the kill), ${pub.failed.size} failed, ${counts.size} distinct written, ${duplicates(counts)} duplicates`);
  assert.deepEqual(lost.slice(0, 20), [], `${lost.length} acknowledged messages lost with the embedded broker`);
  assert.ok(duplicates(counts) <= BATCH + 1, `duplicates ${duplicates(counts)} exceed one batch`);
  assertAccounting(s);
  assert.equal(s.discarded_total, 0);
});
