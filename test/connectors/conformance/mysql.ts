// The MySQL target: the harness's real MariaDB, the default row in a table the fixture creates
// with a CHECK constraint on the payload, so a record whose payload is `poison` is refused by
// the server (errno 4025) for that row alone.
import mysql from 'mysql2/promise';
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('mariadb');
    const e = svc.env;
    const conn = { host: e.SLUICE_TEST_MYSQL_HOST as string, port: Number(e.SLUICE_TEST_MYSQL_PORT), user: e.SLUICE_TEST_MYSQL_USER as string, password: e.SLUICE_TEST_MYSQL_PASSWORD as string, database: e.SLUICE_TEST_MYSQL_DATABASE as string };
    const query = async (sql: string): Promise<mysql.RowDataPacket[]> => {
      const c = await mysql.createConnection(conn);
      try {
        return (await c.query<mysql.RowDataPacket[]>(sql))[0];
      } finally {
        await c.end();
      }
    };
    await query(`CREATE TABLE records (
      id VARCHAR(255) PRIMARY KEY, topic TEXT NOT NULL, payload TEXT, payload_bytes BLOB,
      qos TINYINT NOT NULL, retain BOOLEAN NOT NULL, \`timestamp\` DATETIME(3) NOT NULL,
      CONSTRAINT no_poison CHECK (payload IS NULL OR payload <> 'poison'))`);
    const config = { host: conn.host, port: conn.port, database: conn.database, username: conn.user, password: conn.password, table: 'records', connect_timeout_secs: 5, query_timeout_secs: 10 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (errno 1045)' },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { payload: Buffer.from('poison'), means: 'a payload the table\'s CHECK constraint refuses (errno 4025)' },
      async readIds() {
        return (await query('SELECT id FROM records')).map((r) => String(r.id));
      },
      kill: () => svc.kill(),
      start: () => svc.start(),
      close: () => svc.stop(),
    };
  },
};
