// The PostgreSQL target: the harness's real server, the default row in a table the fixture
// creates with a CHECK constraint on the payload, so a record whose payload is `poison` is
// refused by the server (23514) for that row alone.
import pg from 'pg';
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('postgres');
    const e = svc.env;
    const conn = { host: e.SLUICE_TEST_POSTGRES_HOST as string, port: Number(e.SLUICE_TEST_POSTGRES_PORT), user: e.SLUICE_TEST_POSTGRES_USER as string, password: e.SLUICE_TEST_POSTGRES_PASSWORD as string, database: 'postgres' };
    const query = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => {
      const c = new pg.Client(conn);
      await c.connect();
      try {
        return (await c.query<T>(sql)).rows;
      } finally {
        await c.end();
      }
    };
    await query(`CREATE TABLE records (
      id text PRIMARY KEY, topic text NOT NULL, payload text CHECK (payload IS DISTINCT FROM 'poison'), payload_bytes bytea,
      qos smallint NOT NULL, retain boolean NOT NULL, "timestamp" timestamptz(3) NOT NULL)`);
    const config = { host: conn.host, port: conn.port, database: conn.database, username: conn.user, password: conn.password, table: 'records', connect_timeout_secs: 5, query_timeout_secs: 10 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (SQLSTATE 28P01)' },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { payload: Buffer.from('poison'), means: 'a payload the table\'s CHECK constraint refuses (SQLSTATE 23514)' },
      async readIds() {
        return (await query<{ id: string }>('SELECT id FROM records')).map((r) => r.id);
      },
      kill: () => svc.kill(),
      start: () => svc.start(),
      close: () => svc.stop(),
    };
  },
};
