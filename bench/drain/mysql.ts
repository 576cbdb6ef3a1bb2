// mysql in the drain benchmark: the default row in a table the connector creates, against the bare
// mysql2 client inserting the same rows into the same table shape, batch by batch, with mysql2's
// own bulk form (one `INSERT … VALUES ?` per batch, the rows escaped by the client).
import mysql from 'mysql2/promise';
import { createTableSql } from '../../src/connectors/mysql/mapping.js';
import { startService } from '../../test/harness/services.js';
import { makePayload } from '../payload.js';
import type { DrainTarget } from './drain-target.js';

const table = (id: string): string => id.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 63);

export const drainTarget: DrainTarget = {
  name: 'mysql',
  unit: 'rows',
  goal: 20_000,
  async start() {
    const svc = await startService('mariadb');
    const e = svc.env;
    const conn = { host: e.SLUICE_TEST_MYSQL_HOST as string, port: Number(e.SLUICE_TEST_MYSQL_PORT), user: e.SLUICE_TEST_MYSQL_USER as string, password: e.SLUICE_TEST_MYSQL_PASSWORD as string, database: e.SLUICE_TEST_MYSQL_DATABASE as string };
    const db = await mysql.createConnection({ ...conn, timezone: 'Z', charset: 'utf8mb4' });
    return {
      target: {
        name: 'mysql',
        connector: (id) => ({ type: 'mysql', config: { host: conn.host, port: conn.port, database: conn.database, username: conn.user, password: conn.password, table: table(id), create_table: true } }),
        async count(id) {
          const r = await db.query<mysql.RowDataPacket[]>(`SELECT count(*) AS n FROM \`${table(id)}\``).catch(() => undefined);
          return Number(r?.[0][0]?.n ?? 0);
        },
      },
      async bareRate(id, total, batchSize) {
        const t = table(id);
        await db.query(createTableSql(t));
        const sql = `INSERT INTO \`${t}\` (id, topic, payload, payload_json, qos, retain, \`timestamp\`) VALUES ? ON DUPLICATE KEY UPDATE id = id`;
        const started = performance.now();
        for (let at = 0; at < total; at += batchSize) {
          const n = Math.min(batchSize, total - at);
          const rows: unknown[][] = [];
          for (let i = 0; i < n; i++) {
            const now = Date.now();
            const text = makePayload(at + i, now).toString();
            rows.push([`bare-${at + i}`, `${id}/a`, text, text, 1, false, new Date(now).toISOString().replace('T', ' ').replace('Z', '')]);
          }
          await db.query(sql, [rows]);
        }
        const perSec = total / ((performance.now() - started) / 1000);
        const [res] = await db.query<mysql.RowDataPacket[]>(`SELECT count(*) AS n FROM \`${t}\``);
        const got = Number(res[0]?.n);
        if (got !== total) throw new Error(`mysql bare client: ${got} of ${total} rows arrived`);
        return perSec;
      },
      async stop() {
        await db.end().catch(() => undefined);
        await svc.stop();
      },
    };
  },
};
