// The GreptimeDB target: GreptimeDB's HTTP front door played by test/helpers/greptime-proxy.ts
// (path, parameters and the `token user:password` check) in front of the harness's real
// InfluxDB 1.x, which parses and stores the lines. The record id is a tag; field `v` is a float
// (a seed point fixes its type), so a record whose `v` is a string is poison (400 field type
// conflict). Killing the target stops both the proxy and InfluxDB.
import { startService } from '../../harness/services.js';
import { influxql } from '../../helpers/influxql.js';
import { startGreptimeProxy } from '../../helpers/greptime-proxy.js';
import type { ConformanceFixture } from './fixture.js';

const DB = 'conformance';
const USER = { user: 'greptime_user', password: 'greptime-pw-1' };

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('influxdb');
    const upstream = svc.env.SLUICE_TEST_INFLUXDB_URL as string;
    await influxql(upstream, `CREATE DATABASE ${DB}`, { db: DB });
    const seed = await fetch(`${upstream}/write?db=${DB}&precision=ms`, { method: 'POST', body: 'records,sluice_id=seed v=0 1' });
    if (seed.status !== 204) throw new Error(`influxdb: seed write answered ${seed.status}`);
    const proxy = await startGreptimeProxy({ upstream, ...USER });
    const config = { server_addr: proxy.addr, database: DB, ...USER, measurement: 'records', tags: { sluice_id: '${id}' }, timeout_secs: 5 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (HTTP 401 from the Authorization check)' },
      payload: (i) => Buffer.from(`{"v":${i}}`),
      poison: { payload: Buffer.from('{"v":"text"}'), means: 'a string where the field v is a float (400 partial write: field type conflict, from InfluxDB behind the proxy)' },
      async readIds() {
        const [series] = await influxql(upstream, 'SELECT v, sluice_id FROM records', { db: DB });
        return (series?.values ?? []).map((v) => v[2] as string).filter((id) => id !== 'seed');
      },
      async kill() {
        await proxy.close();
        await svc.kill();
      },
      async start() {
        await svc.start();
        await proxy.listen();
      },
      async close() {
        await proxy.close();
        await svc.stop();
      },
    };
  },
};
