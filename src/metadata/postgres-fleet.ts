// The fleet's heartbeats in the shared PostgreSQL store: one row per process, one per connector it
// runs. Ages and liveness are computed in the database's clock, so process clocks may disagree.
import type pg from 'pg';
import type { ConnectorReport, FleetBoard, InstanceBeat, InstanceInfo } from './store.js';

interface InstanceRow {
  id: string;
  name: string;
  started_ms: string;
  heartbeat_ms: string;
  age_ms: string;
  alive: boolean;
}

const INSTANCE_COLUMNS = `i.id, i.name,
  (extract(epoch FROM i.started_at) * 1000)::bigint AS started_ms,
  (extract(epoch FROM i.heartbeat_at) * 1000)::bigint AS heartbeat_ms,
  greatest(0, (extract(epoch FROM now() - i.heartbeat_at) * 1000))::bigint AS age_ms,
  i.heartbeat_at > now() - make_interval(secs => $1::double precision / 1000) AS alive`;

const info = (r: InstanceRow): InstanceInfo => ({ id: r.id, name: r.name, started_at: Number(r.started_ms), heartbeat_at: Number(r.heartbeat_ms), heartbeat_age_ms: Number(r.age_ms), alive: r.alive });

export class PostgresFleetBoard implements FleetBoard {
  constructor(
    private readonly pool: pg.Pool,
    private readonly wrap: (e: unknown) => Error,
  ) {}

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw this.wrap(e);
    }
  }

  /** One transaction: the heartbeat, and the reports replaced (only of connectors that still exist). */
  async beat(b: InstanceBeat): Promise<void> {
    await this.run(async () => {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(
          `INSERT INTO sluice_instances (id, name, started_at, heartbeat_at) VALUES ($1, $2, to_timestamp($3::double precision / 1000), now())
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, started_at = EXCLUDED.started_at, heartbeat_at = now()`,
          [b.id, b.name, b.started_at],
        );
        await c.query('DELETE FROM sluice_instance_connectors WHERE instance_id = $1', [b.id]);
        await c.query(
          `INSERT INTO sluice_instance_connectors (instance_id, tenant, name, status, reported_at)
           SELECT $1, u.t, u.n, u.s, now() FROM unnest($2::text[], $3::text[], $4::text[]) AS u(t, n, s)
           WHERE EXISTS (SELECT 1 FROM sluice_connectors d WHERE d.tenant = u.t AND d.name = u.n)`,
          [b.id, b.reports.map((r) => r.tenant), b.reports.map((r) => r.name), b.reports.map((r) => r.status)],
        );
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    });
  }

  async instances(timeoutMs: number): Promise<InstanceInfo[]> {
    return this.run(async () => (await this.pool.query<InstanceRow>(`SELECT ${INSTANCE_COLUMNS} FROM sluice_instances i ORDER BY i.name COLLATE "C", i.id`, [timeoutMs])).rows.map(info));
  }

  async reports(tenant: string, name: string, timeoutMs: number): Promise<ConnectorReport[]> {
    return this.run(async () => {
      const rows = (
        await this.pool.query<InstanceRow & { status: string; reported_ms: string }>(
          `SELECT ${INSTANCE_COLUMNS}, r.status, (extract(epoch FROM r.reported_at) * 1000)::bigint AS reported_ms
           FROM sluice_instance_connectors r JOIN sluice_instances i ON i.id = r.instance_id
           WHERE r.tenant = $2 AND r.name = $3 ORDER BY i.name COLLATE "C", i.id`,
          [timeoutMs, tenant, name],
        )
      ).rows;
      return rows.map((r) => ({ instance: info(r), status: r.status, reported_at: Number(r.reported_ms) }));
    });
  }

  async forget(instanceId: string): Promise<boolean> {
    return this.run(async () => ((await this.pool.query('DELETE FROM sluice_instances WHERE id = $1', [instanceId])).rowCount ?? 0) > 0);
  }
}
