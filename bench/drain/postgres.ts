// postgres in the drain benchmark: the default row in a table the connector creates, against the
// bare pg client inserting the same rows into the same table shape, batch by batch, with the
// fastest plain statement for it (one INSERT … SELECT FROM unnest of column arrays per batch).
import pg from 'pg';
import { createTableSql } from '../../src/connectors/postgres/mapping.js';
import { startService } from '../../test/harness/services.js';
import { makePayload } from '../payload.js';
import type { DrainTarget } from './drain-target.js';

const table = (id: string): string => id.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);

export const drainTarget: DrainTarget = {
  name: 'postgres',
  unit: 'rows',
  goal: 30_000,
  async start() {
    const svc = await startService('postgres');
    const e = svc.env;
    const conn = { host: e.SLUICE_TEST_POSTGRES_HOST as string, port: Number(e.SLUICE_TEST_POSTGRES_PORT), user: e.SLUICE_TEST_POSTGRES_USER as string, password: e.SLUICE_TEST_POSTGRES_PASSWORD as string, database: 'postgres' };
    const db = new pg.Client(conn);
    await db.connect();
    return {
      target: {
        name: 'postgres',
        connector: (id) => ({ type: 'postgres', config: { host: conn.host, port: conn.port, database: conn.database, username: conn.user, password: conn.password, table: table(id), create_table: true } }),
        async count(id) {
          const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${table(id)}"`).catch(() => undefined);
          return Number(r?.rows[0]?.n ?? 0);
        },
      },
      async bareRate(id, total, batchSize) {
        const t = table(id);
        await db.query(createTableSql(t));
        const sql = `INSERT INTO "${t}" (id, topic, payload, payload_json, qos, retain, "timestamp")
          SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::smallint[], $6::boolean[], $7::timestamptz[]) ON CONFLICT (id) DO NOTHING`;
        const started = performance.now();
        for (let at = 0; at < total; at += batchSize) {
          const n = Math.min(batchSize, total - at);
          const cols: unknown[][] = [[], [], [], [], [], [], []];
          for (let i = 0; i < n; i++) {
            const now = Date.now();
            const text = makePayload(at + i, now).toString();
            const row = [`bare-${at + i}`, `${id}/a`, text, text, 1, false, new Date(now).toISOString()];
            row.forEach((v, c) => (cols[c] as unknown[]).push(v));
          }
          await db.query({ name: `bare_${t}`.slice(0, 63), text: sql, values: cols });
        }
        const perSec = total / ((performance.now() - started) / 1000);
        const n = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`)).rows[0]?.n);
        if (n !== total) throw new Error(`postgres bare client: ${n} of ${total} rows arrived`);
        return perSec;
      },
      async stop() {
        await db.end().catch(() => undefined);
        await svc.stop();
      },
    };
  },
};
