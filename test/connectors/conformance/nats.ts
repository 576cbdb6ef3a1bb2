// The NATS target: the harness's nats-server with JetStream and user/password auth; a stream
// CONFORMANCE captures `conf.>` (the config's subject is `conf.${topic}`). The record id is the
// Nats-Msg-Id header, read back with an ordered consumer over the whole stream. The poison
// record is larger than the server's max_payload (1 MiB).
import { connect, type NatsConnection } from 'nats';
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

export const STREAM = 'CONFORMANCE';

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('nats');
    const servers = svc.env.SLUICE_TEST_NATS_URL as string;
    const auth = { user: svc.env.SLUICE_TEST_NATS_USER as string, pass: svc.env.SLUICE_TEST_NATS_PASSWORD as string };
    let nc: NatsConnection = await connect({ servers, ...auth });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: STREAM, subjects: ['conf.>'], duplicate_window: 120 * 1e9 });
    const config = { servers, subject: 'conf.${topic}', username: auth.user, password: auth.pass, timeout_ms: 2000 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (Authorization Violation)' },
      payload: (i) => Buffer.from(`{"v":${i}}`),
      poison: { payload: Buffer.alloc(1024 * 1024 + 1, 'x'), means: 'a message larger than the server\'s max_payload (1 MiB)' },
      async readIds() {
        if (nc.isClosed()) nc = await connect({ servers, ...auth });
        return readMsgIds(nc, STREAM);
      },
      async kill() {
        await nc.close();
        await svc.kill();
      },
      start: () => svc.start(),
      async close() {
        await nc.close();
        await svc.stop();
      },
    };
  },
};

/** The Nats-Msg-Id of every message in `stream`, in order (an ordered consumer over all of it). */
export async function readMsgIds(nc: NatsConnection, stream: string): Promise<string[]> {
  const js = nc.jetstream();
  const n = (await (await nc.jetstreamManager()).streams.info(stream)).state.messages;
  if (n === 0) return [];
  const consumer = await js.consumers.get(stream);
  const ids: string[] = [];
  const iter = await consumer.fetch({ max_messages: n, expires: 10_000 });
  for await (const m of iter) {
    ids.push(m.headers?.get('Nats-Msg-Id') ?? '');
    if (ids.length >= n) break;
  }
  await consumer.delete().catch(() => undefined);
  return ids;
}
