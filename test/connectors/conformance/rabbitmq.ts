// The RabbitMQ target: the harness's real broker, a durable direct exchange with a durable queue
// bound as `records`; the routing key comes from the payload (`${payload.rk}`), so a record routed
// to `nowhere` reaches no queue and comes back under the mandatory flag: poison. What arrived is
// consumed back with amqplib (auto-ack, so nothing is redelivered and counted twice).
import { connect, type ChannelModel } from 'amqplib';
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

const EXCHANGE = 'conformance';
const QUEUE = 'conformance-records';

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('rabbitmq');
    const port = Number(svc.env.SLUICE_TEST_RABBITMQ_PORT);
    const ids: string[] = [];
    let reader: ChannelModel | undefined;
    const read = async (): Promise<void> => {
      reader = await connect({ hostname: '127.0.0.1', port, username: 'guest', password: 'guest' });
      reader.on('error', () => undefined);
      const ch = await reader.createChannel();
      await ch.assertExchange(EXCHANGE, 'direct', { durable: true });
      await ch.assertQueue(QUEUE, { durable: true });
      await ch.bindQueue(QUEUE, EXCHANGE, 'records');
      await ch.consume(QUEUE, (m) => { if (m) ids.push(String(m.properties.messageId)); }, { noAck: true });
    };
    await read();
    const config = { server: '127.0.0.1', port, username: 'guest', password: 'guest', exchange: EXCHANGE, routing_key: '${payload.rk}', connection_timeout_secs: 5, confirm_timeout_secs: 10 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (ACCESS_REFUSED on connect)' },
      payload: () => Buffer.from('{"rk":"records"}'),
      poison: { payload: Buffer.from('{"rk":"nowhere"}'), means: 'a routing key that no queue is bound with (returned under the mandatory flag)' },
      readIds: async () => [...ids],
      kill: () => svc.kill(),
      async start() {
        await svc.start();
        await read();
      },
      async close() {
        await reader?.close().catch(() => undefined);
        await svc.stop();
      },
    };
  },
};
