// The ClickHouse target: the harness's real server, a table with the id column (id_column) and a
// typed column, fed with payload_format json; a row whose value does not parse is poison.
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

const DB = 'conformance';

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('clickhouse');
    const url = svc.env.SLUICE_TEST_CLICKHOUSE_URL as string;
    const query = async (sql: string): Promise<string> => {
      const res = await fetch(`${url}/`, { method: 'POST', body: sql, signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      if (!res.ok) throw new Error(`clickhouse: ${sql}: HTTP ${res.status}: ${text}`);
      return text;
    };
    await query(`CREATE DATABASE IF NOT EXISTS ${DB}`);
    await query(`CREATE TABLE ${DB}.records (sluice_id String, n Int64) ENGINE = MergeTree ORDER BY tuple()`);
    const config = { url, database: DB, table: 'records', payload_format: 'json', id_column: 'sluice_id', timeout_secs: 5 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password for user default' },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { payload: Buffer.from('{"n":"not a number"}'), means: 'a value the Int64 column cannot parse (the server rejects the INSERT)' },
      async readIds() {
        const text = await query(`SELECT sluice_id FROM ${DB}.records FORMAT TabSeparated`);
        return text.split('\n').filter(Boolean);
      },
      kill: () => svc.kill(),
      start: () => svc.start(),
      close: () => svc.stop(),
    };
  },
};
