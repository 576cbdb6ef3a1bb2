// Two Sluice processes (two services with their own store and journal) subscribe with the same
// shared subscription on a real Mosquitto: the broker splits the stream between them, and every
// acknowledged message lands exactly once across their two output files.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { Api, assertAccounting, countSeqs, duplicates, missing, publishNumbered, range, readJsonLines, startMosquitto } from '../helpers/runtime.js';

const N = 2000;

test('$share/<group>/<filter> splits one stream across two Sluice instances, each message once', { timeout: 120_000 }, async (t) => {
  const { svc, url } = await startMosquitto();
  t.after(() => svc.stop());
  // each instance needs its own client id prefix: equal client ids would take each other's session over
  const nodes = await Promise.all(['node_a_', 'node_b_'].map((prefix) => startTestServer({ mqttUrl: url, mqttClientIdPrefix: prefix })));
  t.after(() => Promise.all(nodes.map((n) => n.cleanup())));
  const apis = nodes.map((n) => new Api(n.url));
  const outs = nodes.map((n) => join(n.dir, 'out.jsonl'));
  await Promise.all(apis.map((api, i) => api.create({ name: 'split', type: 'file', topic_filter: '$share/sluice/split/#', config: { local_file_path: outs[i] }, delivery: { batch_size: 100, linger_ms: 10 } })));
  await Promise.all(apis.map((api) => api.until('split', 'source connected', (s) => s.source_connected, 30_000)));

  const pub = await publishNumbered({ url, seqs: range(1, N + 1), topic: (seq) => `split/${seq % 4}`, clientId: 'split-pub' });
  assert.equal(pub.acked.size, N, 'every publish acknowledged');
  const wanted = (s: { written: number }[]) => s.reduce((n, x) => n + x.written, 0) >= N;
  let statuses = await Promise.all(apis.map((api) => api.status('split')));
  for (let i = 0; i < 200 && !wanted(statuses); i++) {
    await new Promise((r) => setTimeout(r, 100));
    statuses = await Promise.all(apis.map((api) => api.status('split')));
  }
  for (const s of statuses) assertAccounting(s);
  const [a, b] = statuses as [(typeof statuses)[number], (typeof statuses)[number]];
  t.diagnostic(`node a received ${a.received}, node b ${b.received}`);
  assert.ok(a.received > 0 && b.received > 0, 'the broker gave both instances a share');
  assert.equal(a.received + b.received, N);

  const counts = countSeqs([...readJsonLines(outs[0] as string), ...readJsonLines(outs[1] as string)]);
  assert.deepEqual(missing(pub.acked, counts), [], 'no acknowledged message missing across the two files');
  assert.equal(duplicates(counts), 0, 'and none written twice');
});
