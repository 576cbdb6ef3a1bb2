// The Cassandra target: the harness's real node with a column-value-size guardrail of 64 KiB
// (`column_value_size_fail_threshold`), the default table made by the superuser, and the sink
// logging in as the ordinary role the guardrail applies to: a 100 KiB payload is refused by the
// server (InvalidRequest) for that row alone. Read back with the driver as the superuser.
import cassandra from 'cassandra-driver';
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

const KEYSPACE = 'conformance';
const TABLE = 'records';

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('cassandra', { extraConfig: ['column_value_size_fail_threshold: 64KiB'] });
    const e = svc.env;
    const port = Number(e.SLUICE_TEST_CASSANDRA_PORT);
    let reader: cassandra.Client | undefined;
    const open = async (): Promise<cassandra.Client> => {
      const c = new cassandra.Client({
        contactPoints: [`${e.SLUICE_TEST_CASSANDRA_HOST}:${port}`],
        localDataCenter: e.SLUICE_TEST_CASSANDRA_DATACENTER,
        credentials: { username: e.SLUICE_TEST_CASSANDRA_ADMIN_USER as string, password: e.SLUICE_TEST_CASSANDRA_ADMIN_PASSWORD as string },
        socketOptions: { connectTimeout: 5000, readTimeout: 30_000 },
      });
      await c.connect();
      return c;
    };
    reader = await open();
    await reader.execute(`CREATE KEYSPACE ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    await reader.execute(`CREATE TABLE ${KEYSPACE}.${TABLE} (id text PRIMARY KEY, topic text, payload text, payload_bytes blob, payload_binary boolean, qos tinyint, retain boolean, "timestamp" timestamp, properties text)`);
    const config = {
      nodes: [e.SLUICE_TEST_CASSANDRA_HOST], port, keyspace: KEYSPACE, table: TABLE,
      username: e.SLUICE_TEST_CASSANDRA_USER, password: e.SLUICE_TEST_CASSANDRA_PASSWORD, timeout_secs: 10,
    };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (AuthenticationError from PasswordAuthenticator)' },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { payload: Buffer.from('x'.repeat(100 * 1024)), means: 'a 100 KiB payload over the column_value_size_fail_threshold guardrail (InvalidRequest)' },
      async readIds() {
        const c = reader ?? (reader = await open());
        const ids: string[] = [];
        // a full scan of a small test table, page by page
        const rs = await c.execute(`SELECT id FROM ${KEYSPACE}.${TABLE}`, [], { prepare: true, fetchSize: 5000 });
        for await (const row of rs) ids.push(String(row.get('id')));
        return ids;
      },
      async kill() {
        await reader?.shutdown().catch(() => undefined);
        reader = undefined;
        await svc.kill();
      },
      async start() {
        await svc.start();
        reader = await open();
      },
      async close() {
        await reader?.shutdown().catch(() => undefined);
        await svc.stop();
      },
    };
  },
};
