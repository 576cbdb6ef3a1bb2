// QoS 2 without loss, on a real Mosquitto. Sluice journals a QoS 2 message before its PUBREC
// leaves and remembers the packet id until PUBREL, so (1) five SIGKILLs while 50 QoS 2 messages
// are in flight lose nothing the publisher got PUBCOMP for, and a resent PUBLISH is not journaled
// twice; (2) a QoS 2 stream five times the journal bound with the sink down loses nothing: what
// does not fit gets no PUBREC and stays with the broker.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../helpers/server.js';
import { startSluiceProcess, type SluiceProcess } from '../helpers/sluice-process.js';
import { Api, assertAccounting, countSeqs, duplicates, missing, primeWith, publishNumbered, range, readJsonLines, sluiceOnMosquitto, startMosquitto } from '../helpers/runtime.js';

const BATCH = 100;
const KILLS = 5;

test('QoS 2: five SIGKILLs with 50 messages in flight lose nothing acknowledged; resends are recognised', { timeout: 240_000 }, async (t) => {
  const { svc, url } = await startMosquitto();
  t.after(() => svc.stop());
  const dir = tempDir('sluice-qos2-');
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  const env = { SLUICE_DB: join(dir, 'sluice.db'), SLUICE_MQTT_URL: url };
  const out = join(dir, 'out.jsonl');
  const procs: SluiceProcess[] = [];
  t.after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
  });
  let proc = await startSluiceProcess(env, 90_000);
  procs.push(proc);
  let api = new Api(proc.url);
  await api.create({ name: 'q2', type: 'file', topic_filter: 'q2/data', config: { local_file_path: out }, delivery: { qos: 2, batch_size: BATCH, linger_ms: 10 } });
  await api.until('q2', 'running', (s) => s.state === 'running');
  await primeWith(api, 'q2', url, 'q2/data', 0);

  // a long paced stream, stopped after the last kill; every kill lands in its middle
  const N = 1_000_000;
  let acks = 0;
  const stop = new AbortController();
  const publishing = publishNumbered({ url, seqs: range(1, N), topic: () => 'q2/data', qos: 2, window: 50, pause: { every: 50, ms: 20 }, clientId: 'q2-pub', signal: stop.signal, onAck: () => (acks += 1) });
  for (let k = 1; k <= KILLS; k++) {
    const mark = acks;
    // kill while the publisher is mid-stream and Sluice is taking messages
    await api.until('q2', `kill ${k}: intake moving`, (s) => s.received > 0 && acks > mark + 200, 60_000);
    const killed = await proc.kill('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    t.diagnostic(`kill ${k} at ${acks} acknowledged`);
    proc = await startSluiceProcess(env, 90_000);
    procs.push(proc);
    api = new Api(proc.url);
  }
  await api.until('q2', 'taking messages after the last restart', (s) => s.source_connected, 30_000);
  const mark = acks;
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(acks > mark, 'the publisher went on after the last restart');
  stop.abort();
  const pub = await publishing;
  // every exchange the publisher completed is in the journal once (the QoS 1 prime too): a quiet
  // spell alone (a reconnect on a loaded machine) is not the end of the backlog
  await api.until('q2', 'every acknowledged message written', (x) => x.written >= pub.acked.size + 1 && x.pending === 0, 120_000);
  const s = await api.settled('q2', 2000, 120_000);

  const counts = countSeqs(readJsonLines(out));
  const lost = missing([0, ...pub.acked], counts);
  assert.deepEqual(lost.slice(0, 20), [], `${lost.length} messages acknowledged with PUBCOMP missing after ${KILLS} kills`);
  const dups = duplicates(counts);
  // the journal took every message once (seq 0 is a QoS 1 prime that may be sent twice)
  const journalDups = s.received - counts.size;
  console.log(`[qos2] ${KILLS} kills: ${pub.acked.size} acknowledged, ${counts.size} distinct written, ${dups} duplicates in the file, ${journalDups} duplicates in the journal`);
  assert.ok(journalDups <= 1, `resent QoS 2 PUBLISHes were journaled again: ${journalDups}`);
  assert.ok(dups <= KILLS * BATCH + 1, `duplicates ${dups} exceed one batch per kill (${KILLS} × ${BATCH})`);
  assertAccounting(s);
  assert.equal(s.discarded_total, 0);
});

describe('QoS 2 against the journal bound', () => {
  const fx = sluiceOnMosquitto();

  test('a QoS 2 stream five times max_journal_bytes with the sink down: nothing lost once the sink is back', { timeout: 180_000 }, async () => {
    const MIB = 1024 * 1024;
    const PAD = 'x'.repeat(1000);
    const payload = (seq: number): string => JSON.stringify({ seq, pad: PAD });
    const N = 5 * 1050; // × ~1 KiB ≈ 5 MiB
    const out = join(fx.server.dir, 'q2-bound.jsonl');
    await fx.api.create({ name: 'q2bound', type: 'file', topic_filter: 'q2b/#', config: { local_file_path: out }, desired_state: 'paused', delivery: { qos: 2, batch_size: 100, linger_ms: 10, max_journal_bytes: MIB } });
    await fx.api.until('q2bound', 'paused', (s) => s.state === 'paused');
    await primeWith(fx.api, 'q2bound', fx.url, 'q2b/a', 0, payload);
    const pub = await publishNumbered({ url: fx.url, seqs: range(1, N), topic: () => 'q2b/a', payload, qos: 2, window: 200, clientId: 'q2b-pub' });
    assert.equal(pub.acked.size, N - 1, 'Mosquitto completed every QoS 2 exchange (it keeps what Sluice does not take)');
    const full = await fx.api.until('q2bound', 'journal full', (s) => s.journal_full);
    assert.ok(full.received < N / 4, `intake stopped at the bound (${full.received} received)`);
    assert.equal(full.discarded_total, 0);

    await fx.api.ok('POST', '/api/v1/connectors/q2bound/resume');
    await fx.api.until('q2bound', 'everything written', (x) => x.written >= N && x.pending === 0, 150_000);
    const s = await fx.api.settled('q2bound', 1000);
    const counts = countSeqs(readJsonLines(out));
    const lost = missing([0, ...pub.acked], counts);
    assert.deepEqual(lost.slice(0, 20), [], `${lost.length} of ${N} QoS 2 messages lost across the bound`);
    assert.equal(duplicates(counts), 0, 'no full/resume cycle made a duplicate');
    assert.equal(s.received, N);
    assertAccounting(s);
    assert.equal(s.discarded_total, 0);
  });
});
