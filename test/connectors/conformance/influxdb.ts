// The InfluxDB target: the harness's real InfluxDB 1.x with authentication on; the record id is
// a tag (`tags: { sluice_id: '${id}' }`), field `v` is a float (a seed point fixes its type), so
// a record whose `v` is a string is poison (400 field type conflict).
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

const DB = 'conformance';
const ADMIN = { user: 'admin', password: 'influx-pw-1' };

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('influxdb', { extraConfig: ['auth-enabled = true'] });
    const url = svc.env.SLUICE_TEST_INFLUXDB_URL as string;
    const auth = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
    const influxql = async (q: string, withAuth = true): Promise<unknown> => {
      const res = await fetch(`${url}/query?${new URLSearchParams({ q, db: DB, epoch: 'ms' })}`, { method: 'POST', headers: withAuth ? { authorization: auth } : {}, signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { results?: { error?: string }[]; error?: string };
      const error = body.error ?? body.results?.find((r) => r.error)?.error;
      if (!res.ok || error) throw new Error(`influxdb: ${q}: HTTP ${res.status}: ${error ?? ''}`);
      return body;
    };
    await influxql(`CREATE USER ${ADMIN.user} WITH PASSWORD '${ADMIN.password}' WITH ALL PRIVILEGES`, false);
    await influxql(`CREATE DATABASE ${DB}`);
    const seed = await fetch(`${url}/write?db=${DB}&precision=ms`, { method: 'POST', headers: { authorization: auth }, body: 'records,sluice_id=seed v=0 1' });
    if (seed.status !== 204) throw new Error(`influxdb: seed write answered ${seed.status}`);
    const config = { server: url, version: 'v1', database: DB, measurement: 'records', username: ADMIN.user, password: ADMIN.password, tags: { sluice_id: '${id}' }, timeout_secs: 5 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (HTTP 401)' },
      payload: (i) => Buffer.from(`{"v":${i}}`),
      poison: { payload: Buffer.from('{"v":"text"}'), means: 'a string where the field v is a float (400 partial write: field type conflict)' },
      async readIds() {
        const body = (await influxql('SELECT v, sluice_id FROM records')) as { results: { series?: { values: [number, number, string][] }[] }[] };
        const values = body.results[0]?.series?.[0]?.values ?? [];
        return values.map((v) => v[2]).filter((id) => id !== 'seed');
      },
      kill: () => svc.kill(),
      start: () => svc.start(),
      close: () => svc.stop(),
    };
  },
};
