// Acceptance: the source broker (a real Mosquitto, persistence on) is restarted in the middle of a
// stream of numbered QoS 1 messages. Sluice notices, reconnects by itself to its persistent
// session, and every message the publisher got a PUBACK for reaches the output file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { Api, assertAccounting, countSeqs, duplicates, missing, primeWith, publishNumbered, range, readJsonLines, sleep, startMosquitto } from '../helpers/runtime.js';

const N = 4000;

test('Mosquitto restarted mid-stream: Sluice reconnects by itself, no PUBACKed message is missing', { timeout: 240_000 }, async (t) => {
  const { svc, url } = await startMosquitto();
  t.after(() => svc.stop());
  const server = await startTestServer({ mqttUrl: url });
  t.after(() => server.cleanup());
  const api = new Api(server.url);
  const out = join(server.dir, 'out.jsonl');

  await api.create({ name: 'restart', type: 'file', topic_filter: 'plant/+/temp', config: { local_file_path: out }, delivery: { batch_size: 100, linger_ms: 10 } });
  await api.until('restart', 'running', (s) => s.state === 'running');
  await primeWith(api, 'restart', url, 'plant/0/temp', 0);

  // watch the connection flag all along
  const seen: boolean[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const s = await api.status('restart').catch(() => undefined);
      if (s && seen.at(-1) !== s.source_connected) seen.push(s.source_connected);
      await sleep(25);
    }
  })();

  // a paced stream (~2-3 s) that reconnects after the broker comes back and goes on
  let acks = 0;
  const publishing = publishNumbered({ url, seqs: range(1, N), topic: (seq) => `plant/${seq % 3}/temp`, window: 100, pause: { every: 100, ms: 40 }, clientId: 'restart-pub', onAck: () => (acks += 1) });
  await api.until('restart', 'a share of the stream received', (s) => s.received >= 1000, 60_000);
  const t0 = Date.now();
  await svc.restart?.();
  t.diagnostic(`mosquitto restarted in ${Date.now() - t0} ms, publisher had ${acks} acknowledged`);
  assert.ok(acks < N - 1, 'the broker restarted before the stream ended');

  const pub = await publishing;
  t.diagnostic(`publisher: ${pub.acked.size} acknowledged, ${pub.failed.size} lost with the connection (not counted)`);
  const reconnected = await api.until('restart', 'source connected again', (s) => s.source_connected, 60_000);
  assert.equal(reconnected.state, 'running');
  const s = await api.settled('restart', 2000, 120_000);
  watching = false;
  await watcher;
  assert.ok(seen.includes(false), `status showed the source disconnected during the restart (seen ${JSON.stringify(seen)})`);
  assert.equal(seen.at(-1), true);

  const counts = countSeqs(readJsonLines(out));
  const published = [0, ...pub.acked];
  const lost = missing(published, counts);
  assert.deepEqual(lost.slice(0, 20), [], `${lost.length} acknowledged messages missing after the broker restart`);
  t.diagnostic(`duplicates after the broker restart: ${duplicates(counts)}`);
  assertAccounting(s);
  assert.equal(s.pending, 0);
  assert.equal(s.written, s.received);
  assert.equal(s.discarded_total, 0);
  assert.equal(s.source_connected, true);
});
