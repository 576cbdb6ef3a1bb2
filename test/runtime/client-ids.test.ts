// Client ids on a real Mosquitto: the connectors a_b/c and a/b_c had one broker session under
// the old `<prefix><tenant>_<name>` id (each connection pushed the other off and the session's
// subscriptions were shared). Now each has its own and receives only its own messages.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { publishNumbered, range, readJsonLines, sluiceOnMosquitto, type Status, waitFor } from '../helpers/runtime.js';

const N = 200;

describe('client ids on one Mosquitto', () => {
  const fx = sluiceOnMosquitto();

  test('a_b/c and a/b_c: each connector receives only its own messages', { timeout: 120_000 }, async () => {
    const pairs = [
      { tenant: 'a_b', name: 'c', topic: 'ids/one' },
      { tenant: 'a', name: 'b_c', topic: 'ids/two' },
    ];
    const status = (p: (typeof pairs)[number]) => fx.api.ok<Status>('GET', `/api/v1/connectors/${p.name}/status?tenant=${p.tenant}`);
    for (const p of pairs) {
      await fx.api.create({ tenant: p.tenant, name: p.name, type: 'file', topic_filter: `${p.topic}/#`, config: { local_file_path: join(fx.server.dir, `${p.tenant}-${p.name}.jsonl`) }, delivery: { batch_size: 50, linger_ms: 5 } });
    }
    for (const p of pairs) await waitFor(`${p.tenant}/${p.name} subscribed`, async () => (await status(p)).source_connected, { timeoutMs: 30_000 });
    // a session pushed off reconnects and pushes the other one off: give that time to show
    await new Promise((r) => setTimeout(r, 1500));
    for (const p of pairs) assert.equal((await status(p)).source_connected, true, `${p.tenant}/${p.name} stays connected`);
    await Promise.all(pairs.map((p) => publishNumbered({ url: fx.url, seqs: range(0, N), topic: (s) => `${p.topic}/${s % 3}`, window: 50, clientId: `pub-${p.name}` }).then((r) => assert.equal(r.acked.size, N))));
    for (const p of pairs) {
      const s = await waitFor(`${p.tenant}/${p.name}: ${N} written`, async () => {
        const x = await status(p);
        return x.written >= N && x.pending === 0 ? x : undefined;
      }, { timeoutMs: 60_000, describe: () => status(p) });
      const lines = readJsonLines(join(fx.server.dir, `${p.tenant}-${p.name}.jsonl`));
      const foreign = lines.filter((l) => !l.topic.startsWith(`${p.topic}/`));
      assert.deepEqual(foreign.slice(0, 3), [], `${p.tenant}/${p.name} got another connector's messages`);
      assert.equal(new Set(lines.map((l) => l.payload)).size >= N, true, `${p.tenant}/${p.name} has all ${N} of its messages`);
      assert.equal(s.received, N, `${p.tenant}/${p.name} received exactly its own ${N}`);
    }
  });
});
