// Acceptance: 10,000 numbered QoS 1 messages on a wildcard filter, published over several topics
// of a real Mosquitto, land in the file sink exactly once each; status and /metrics account for
// every one of them. The measured rate is printed, not asserted.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { Api, assertAccounting, sleep, type Status, countSeqs, duplicates, metricValue, missing, primeWith, publishNumbered, range, readJsonLines, startMosquitto } from '../helpers/runtime.js';

const N = 10_000;
const TOPICS = 4;

test('10,000 QoS 1 messages on bench/+/data arrive exactly once in the file, accounting exact', { timeout: 240_000 }, async (t) => {
  const { svc, url } = await startMosquitto();
  t.after(() => svc.stop());
  const server = await startTestServer({ mqttUrl: url });
  t.after(() => server.cleanup());
  const api = new Api(server.url);
  const out = join(server.dir, 'bench.jsonl');

  await api.create({ name: 'bench', type: 'file', topic_filter: 'bench/+/data', config: { local_file_path: out }, delivery: { batch_size: 500, linger_ms: 20 } });
  await api.until('bench', 'running', (s) => s.state === 'running');
  await primeWith(api, 'bench', url, 'bench/0/data', 0);

  // the accounting identity is sampled all along the run, not only at the end
  const samples: Status[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push(await api.status('bench'));
      await sleep(50);
    }
  })();

  const started = Date.now();
  const pub = await publishNumbered({ url, seqs: range(1, N), topic: (seq) => `bench/${seq % TOPICS}/data`, window: 500, clientId: 'bench-pub' });
  assert.equal(pub.acked.size, N - 1, `every publish acknowledged (failed: ${pub.failed.size})`);
  const done = await api.until('bench', `written = ${N}`, (s) => s.written >= N && s.pending === 0, 120_000);
  sampling = false;
  await sampler;
  for (const x of samples) assertAccounting(x, 'during the run');
  assert.ok(samples.some((x) => x.pending > 0), 'sampled while records were pending');
  const elapsed = (Date.now() - started) / 1000;
  const rate = Math.round((N - 1) / elapsed);
  t.diagnostic(`throughput: ${N - 1} msgs published in ${(pub.ms / 1000).toFixed(2)} s, all written in ${elapsed.toFixed(2)} s → ${rate} msg/s end to end`);
  console.log(`[throughput] ${rate} msg/s end to end (${N - 1} QoS 1 messages, ${elapsed.toFixed(2)} s; publish alone ${Math.round(((N - 1) * 1000) / pub.ms)} msg/s)`);

  // the file: every sequence number exactly once, on the topic it was published on
  const records = readJsonLines(out);
  const counts = countSeqs(records);
  assert.deepEqual(missing(range(0, N), counts).slice(0, 20), [], 'missing sequence numbers');
  assert.equal(duplicates(counts), 0, 'duplicated sequence numbers');
  assert.equal(records.length, N);
  for (const r of records) {
    const seq = (JSON.parse(r.payload) as { seq: number }).seq;
    assert.equal(r.topic, `bench/${seq % TOPICS}/data`);
    assert.equal(r.qos, 1);
  }
  const offsets = records.map((r) => r.offset as number);
  for (let i = 1; i < offsets.length; i++) assert.ok((offsets[i] as number) > (offsets[i - 1] as number), `offsets strictly increasing at line ${i}`);

  // nothing more arrives; the accounting is exact
  const s = await api.settled('bench', 1000);
  assertAccounting(s);
  assert.equal(s.received, N);
  assert.equal(s.written, N);
  assert.equal(s.pending, 0);
  assert.equal(s.discarded_total, 0);
  assert.equal(s.dead_lettered, 0);
  assert.equal(s.journal_bytes, 0);
  assert.equal(s.journal_full, false);
  assert.equal(s.committed_offset, offsets.at(-1));
  assert.ok(done.last_success_at !== null);

  // /metrics agrees with the status
  const m = await api.metrics();
  const labels = { tenant: 'default', type: 'file', name: 'bench' };
  assert.equal(metricValue(m, 'sluice_received_total', labels), N);
  assert.equal(metricValue(m, 'sluice_written_total', labels), N);
  assert.equal(metricValue(m, 'sluice_dead_lettered_total', labels), 0);
  assert.equal(metricValue(m, 'sluice_pending', labels), 0);
  assert.equal(metricValue(m, 'sluice_journal_bytes', labels), 0);
  assert.equal(metricValue(m, 'sluice_journal_full', labels), 0);
  assert.equal(metricValue(m, 'sluice_connector_up', labels), 1);
  assert.equal(metricValue(m, 'sluice_discarded_total', labels), undefined, 'no discard series without discards');
});
