// elasticsearch in the drain benchmark: the harness's OpenSearch 2.19 node (512 MB heap), Sluice's
// documents in a fresh index, against a bare `fetch` client posting the same NDJSON `_bulk`
// bodies (an `index` action with `_id`, then topic, the JSON payload as an object, qos, retain,
// an ISO timestamp) into another, one bulk per batch of the same size. Both go to the node
// directly (auth none), so the comparison holds no proxy. The goal is the node's, not the sink's:
// on the 2-core machine the bare client itself indexes about 13,000 documents/s into it.
import { startService } from '../../test/harness/services.js';
import { makePayload } from '../payload.js';
import type { DrainTarget } from './drain-target.js';

const indexOf = (id: string): string => `bench-${id.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}`.slice(0, 200);

export const drainTarget: DrainTarget = {
  name: 'elasticsearch',
  unit: 'documents',
  goal: 10_000,
  async start() {
    const svc = await startService('opensearch');
    const node = svc.env.SLUICE_TEST_OPENSEARCH_DIRECT_URL as string;
    const count = async (index: string): Promise<number> => {
      await (await fetch(`${node}/${index}/_refresh`, { method: 'POST' })).text();
      const res = await fetch(`${node}/${index}/_count`);
      if (res.status === 404) return 0;
      if (!res.ok) throw new Error(`opensearch _count: HTTP ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { count: number }).count;
    };
    return {
      target: {
        name: 'elasticsearch',
        connector: (id) => ({ type: 'elasticsearch', config: { url: node, index: indexOf(id) } }),
        count: (id) => count(indexOf(id)),
      },
      async bareRate(id, total, batchSize) {
        const index = indexOf(id);
        const action = (n: number): string => `{"index":{"_index":${JSON.stringify(index)},"_id":"bare-${n}"}}\n`;
        const started = performance.now();
        for (let at = 0; at < total; at += batchSize) {
          const n = Math.min(batchSize, total - at);
          let body = '';
          for (let i = 0; i < n; i++) {
            const now = Date.now();
            body += `${action(at + i)}{"topic":"${id}/a","payload":${makePayload(at + i, now).toString()},"payload_encoding":"json","qos":1,"retain":false,"timestamp":"${new Date(now).toISOString()}"}\n`;
          }
          const res = await fetch(`${node}/_bulk?filter_path=errors,items.*._id,items.*.status,items.*.error`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
          const answer = (await res.json()) as { errors?: boolean };
          if (!res.ok || answer.errors !== false) throw new Error(`bare bulk: HTTP ${res.status}, errors ${String(answer.errors)}`);
        }
        const perSec = total / ((performance.now() - started) / 1000);
        const arrived = await count(index);
        if (arrived !== total) throw new Error(`elasticsearch bare client: ${arrived} of ${total} documents arrived`);
        return perSec;
      },
      stop: () => svc.stop(),
    };
  },
};
