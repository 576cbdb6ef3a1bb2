// The Kafka target: the harness's real single-node cluster; a topic whose max.message.bytes is
// small, so that one large record is refused on its own (MESSAGE_TOO_LARGE); the record id is the
// header sluice_id; wrong credentials are a wrong SASL password on the SASL listener.
import kafkajs from 'kafkajs';
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'sluice_conformance';
const MAX_MESSAGE_BYTES = 4096;

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('kafka');
    const brokers = svc.env.SLUICE_TEST_KAFKA_BROKERS as string;
    const client = new Kafka({ clientId: 'conformance-reader', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }] }], waitForLeaders: true });
    await admin.disconnect();
    // a fresh consumer reads the whole topic whenever it grew since the last read
    let cached: { high: number; ids: string[] } = { high: 0, ids: [] };
    let reads = 0;
    const config = { bootstrap_servers: brokers, topic: TOPIC, message_timeout_ms: 5000, connection_timeout_ms: 2000 };
    return {
      config,
      wrongCredentials: {
        config: { ...config, bootstrap_servers: svc.env.SLUICE_TEST_KAFKA_SASL_BROKERS as string, sasl_mechanism: 'scram-sha-256', sasl_username: svc.env.SLUICE_TEST_KAFKA_SASL_USER as string, sasl_password: 'not-the-password' },
        means: 'a wrong SASL SCRAM-SHA-256 password on the SASL listener',
      },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { payload: Buffer.alloc(2 * MAX_MESSAGE_BYTES, 'x'), means: `a record larger than the topic's max.message.bytes (${MAX_MESSAGE_BYTES}): MESSAGE_TOO_LARGE` },
      async readIds() {
        const a = client.admin();
        await a.connect();
        const high = (await a.fetchTopicOffsets(TOPIC).finally(() => a.disconnect())).reduce((n, p) => n + Number(p.high), 0);
        if (high === cached.high) return [...cached.ids];
        const consumer = client.consumer({ groupId: `conformance-${Date.now()}-${reads++}` });
        const ids: string[] = [];
        await consumer.connect();
        try {
          await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
          let done: () => void = () => undefined;
          const all = new Promise<void>((r) => (done = r));
          let seen = 0;
          await consumer.run({
            eachMessage: async ({ message }) => {
              seen += 1;
              const id = message.headers?.sluice_id;
              if (id !== undefined) ids.push(String(Array.isArray(id) ? id[0] : id));
              if (Number(message.offset) + 1 >= high) done();
            },
          });
          const timer = setTimeout(done, 30_000);
          await all;
          clearTimeout(timer);
          if (seen < high) throw new Error(`kafka read-back: ${seen} of ${high} records consumed within 30 s`);
        } finally {
          await consumer.disconnect();
        }
        cached = { high, ids };
        return [...ids];
      },
      kill: () => svc.kill(),
      start: () => svc.start(),
      close: () => svc.stop(),
    };
  },
};
