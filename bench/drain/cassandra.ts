// cassandra in the drain benchmark: the harness's Cassandra 5 node (one node, commitlog_sync:
// batch, PasswordAuthenticator), Sluice's rows in a fresh default table (create_table), against
// the bare `cassandra-driver` writing rows of the same shape (id, topic, payload text, qos, retain,
// timestamp) into another with the same prepared INSERT, per batch of the same size, with the
// same number of statements in flight as the sink's default `concurrency` (64).
import cassandra from 'cassandra-driver';
import { startService } from '../../test/harness/services.js';
import { makePayload } from '../payload.js';
import type { DrainTarget } from './drain-target.js';

const KEYSPACE = 'bench';
const CONCURRENCY = 64;
const table = (id: string): string => `t_${id.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 48);

export const drainTarget: DrainTarget = {
  name: 'cassandra',
  unit: 'rows',
  goal: 10_000,
  async start() {
    const svc = await startService('cassandra');
    const e = svc.env;
    const port = Number(e.SLUICE_TEST_CASSANDRA_PORT);
    const client = new cassandra.Client({
      contactPoints: [`${e.SLUICE_TEST_CASSANDRA_HOST}:${port}`], localDataCenter: e.SLUICE_TEST_CASSANDRA_DATACENTER,
      credentials: { username: e.SLUICE_TEST_CASSANDRA_USER as string, password: e.SLUICE_TEST_CASSANDRA_PASSWORD as string },
      socketOptions: { readTimeout: 60_000 },
    });
    await client.connect();
    await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    const count = async (id: string): Promise<number> => {
      const rs = await client.execute(`SELECT count(*) AS n FROM ${KEYSPACE}.${table(id)}`).catch(() => undefined);
      return rs ? Number(rs.first().get('n')) : 0;
    };
    return {
      target: {
        name: 'cassandra',
        connector: (id) => ({
          type: 'cassandra',
          config: {
            nodes: [e.SLUICE_TEST_CASSANDRA_HOST], port, keyspace: KEYSPACE, table: table(id), create_table: true,
            username: e.SLUICE_TEST_CASSANDRA_USER, password: e.SLUICE_TEST_CASSANDRA_PASSWORD, consistency: 'one',
          },
        }),
        count,
      },
      async bareRate(id, total, batchSize) {
        const t = table(id);
        await client.execute(`CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${t} (id text PRIMARY KEY, topic text, payload text, qos tinyint, retain boolean, "timestamp" timestamp)`);
        const cql = `INSERT INTO ${KEYSPACE}.${t} (id, topic, payload, qos, retain, "timestamp") VALUES (?, ?, ?, ?, ?, ?)`;
        const options = { prepare: true, consistency: cassandra.types.consistencies.one };
        const started = performance.now();
        for (let at = 0; at < total; at += batchSize) {
          const n = Math.min(batchSize, total - at);
          let next = 0;
          const worker = async (): Promise<void> => {
            while (next < n) {
              const i = at + next++;
              const now = Date.now();
              await client.execute(cql, [`bare-${i}`, `${id}/a`, makePayload(i, now).toString(), 1, false, new Date(now)], options);
            }
          };
          await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, worker));
        }
        const perSec = total / ((performance.now() - started) / 1000);
        const n = await count(id);
        if (n !== total) throw new Error(`cassandra bare client: ${n} of ${total} rows arrived`);
        return perSec;
      },
      async stop() {
        await client.shutdown().catch(() => undefined);
        await svc.stop();
      },
    };
  },
};
