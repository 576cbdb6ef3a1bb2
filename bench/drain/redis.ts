// Redis in the drain benchmark: the connector RPUSHes each record's payload onto the list
// `bench:<id>` (one pipeline per batch); the bare client sends the same RPUSHes with ioredis
// pipelines of the same size, back to back. Counted with LLEN.
import { Redis } from 'ioredis';
import { startService } from '../../test/harness/services.js';
import { makePayload } from '../payload.js';
import type { DrainTarget } from './drain-target.js';

export const drainTarget: DrainTarget = {
  name: 'redis',
  unit: 'commands',
  goal: 80_000,
  async start() {
    const svc = await startService('redis');
    const server = svc.env.SLUICE_TEST_REDIS_SERVER as string;
    const [host, port] = server.split(':') as [string, string];
    const client = new Redis({ host, port: Number(port) });
    return {
      target: {
        name: 'redis',
        connector: (id) => ({ type: 'redis', config: { server, command_template: `RPUSH bench:${id} \${payload}` } }),
        count: (id) => client.llen(`bench:${id}`),
      },
      async bareRate(id, total, batchSize) {
        const key = `bench:${id}`;
        const t0 = performance.now();
        for (let sent = 0; sent < total; sent += batchSize) {
          const n = Math.min(batchSize, total - sent);
          const p = client.pipeline();
          for (let i = 0; i < n; i++) p.rpush(key, makePayload(sent + i, Date.now()));
          const results = await p.exec();
          const failed = results?.find(([err]) => err);
          if (!results || failed) throw new Error(`redis bare client: ${String(failed?.[0] ?? 'no replies')}`);
        }
        const perSec = total / ((performance.now() - t0) / 1000);
        if ((await client.llen(key)) !== total) throw new Error('redis bare client: not every RPUSH arrived');
        return perSec;
      },
      async stop() {
        client.disconnect();
        await svc.stop();
      },
    };
  },
};
