// RabbitMQ in the drain benchmark: the connector publishes each record (persistent, mandatory) to
// a direct exchange that routes it into the durable queue `bench.<id>`, waiting for the broker's
// confirms; the bare client publishes the same messages on a confirm channel in batches of the
// same size, waiting for each batch's confirms. Counted with the queue's message count.
import { connect } from 'amqplib';
import { startService } from '../../test/harness/services.js';
import { makePayload } from '../payload.js';
import type { DrainTarget } from './drain-target.js';

const EXCHANGE = 'bench';

export const drainTarget: DrainTarget = {
  name: 'rabbitmq',
  unit: 'confirmed messages',
  goal: 15_000,
  async start() {
    const svc = await startService('rabbitmq');
    const port = Number(svc.env.SLUICE_TEST_RABBITMQ_PORT);
    const model = await connect({ hostname: '127.0.0.1', port, username: 'guest', password: 'guest' });
    const admin = await model.createChannel();
    await admin.assertExchange(EXCHANGE, 'direct', { durable: true });
    const queue = async (id: string): Promise<string> => {
      const q = `bench.${id}`;
      await admin.assertQueue(q, { durable: true });
      await admin.bindQueue(q, EXCHANGE, q);
      return q;
    };
    return {
      target: {
        name: 'rabbitmq',
        connector: (id) => {
          // the queue must exist before the first message: declared now (milliseconds, long before
          // the connector starts draining); a message published before it would come back as permanent
          void queue(id);
          return { type: 'rabbitmq', config: { server: '127.0.0.1', port, exchange: EXCHANGE, routing_key: `bench.${id}` } };
        },
        count: async (id) => (await admin.checkQueue(`bench.${id}`)).messageCount,
      },
      async bareRate(id, total, batchSize) {
        const q = await queue(id);
        const ch = await model.createConfirmChannel();
        const t0 = performance.now();
        for (let sent = 0; sent < total; sent += batchSize) {
          const n = Math.min(batchSize, total - sent);
          for (let i = 0; i < n; i++) ch.publish(EXCHANGE, q, makePayload(sent + i, Date.now()), { persistent: true, mandatory: true, messageId: `${id}-${sent + i}` });
          await ch.waitForConfirms();
        }
        const perSec = total / ((performance.now() - t0) / 1000);
        await ch.close();
        if ((await admin.checkQueue(q)).messageCount !== total) throw new Error('rabbitmq bare client: not every message is in the queue');
        return perSec;
      },
      async stop() {
        await model.close().catch(() => undefined);
        await svc.stop();
      },
    };
  },
};
