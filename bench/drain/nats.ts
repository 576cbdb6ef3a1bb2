// nats: Sluice draining into the harness's nats-server (JetStream, one file-backed stream BENCH
// capturing `bench.>`), next to a bare `nats` client publishing the same count in batches of the
// same size, each batch's publishes in flight together and every ack awaited.
import { connect, type NatsConnection } from 'nats';
import { startService } from '../../test/harness/services.js';
import type { DrainTarget } from './drain-target.js';

const STREAM = 'BENCH';

export const drainTarget: DrainTarget = {
  name: 'nats',
  unit: 'acked messages',
  goal: 30_000,
  async start() {
    const svc = await startService('nats');
    const servers = svc.env.SLUICE_TEST_NATS_URL as string;
    const auth = { user: svc.env.SLUICE_TEST_NATS_USER as string, pass: svc.env.SLUICE_TEST_NATS_PASSWORD as string };
    const nc: NatsConnection = await connect({ servers, ...auth });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: STREAM, subjects: ['bench.>'] });
    return {
      target: {
        name: 'nats',
        connector: () => ({ type: 'nats', config: { servers, subject: 'bench.${topic}', username: auth.user, password: auth.pass } }),
        async count(id) {
          const info = await jsm.streams.info(STREAM, { subjects_filter: `bench.${id}.>` });
          return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
        },
      },
      async bareRate(id, total, batchSize) {
        const js = nc.jetstream();
        const payload = Buffer.alloc(100, 'x');
        const started = Date.now();
        for (let at = 0; at < total; at += batchSize) {
          const n = Math.min(batchSize, total - at);
          await Promise.all(Array.from({ length: n }, (_, i) => js.publish(`bench.${id}.a`, payload, { msgID: `${id}-${at + i}` })));
        }
        return total / ((Date.now() - started) / 1000);
      },
      async stop() {
        await nc.close();
        await svc.stop();
      },
    };
  },
};
