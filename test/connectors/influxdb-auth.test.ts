// The influxdb sink (v1) against a real InfluxDB 1.x with authentication on: a user with WRITE on
// the database writes; a wrong password (401) and a user without the privilege (403) put the
// connector in error with a message about the credentials that never shows the password; fixing
// the password brings it back by itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startService, type RunningService } from '../harness/services.js';
import { Api, primeWith, startMosquitto } from '../helpers/runtime.js';
import { influxql as runInfluxql } from '../helpers/influxql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const DB = 'sluice_auth';
const ADMIN = { user: 'admin', password: 'admin-pw-1' };
const WRITER = { user: 'writer', password: 'writer-pw-1' };
const READER = { user: 'reader', password: 'reader-pw-1' };

describe('influxdb v1 sink against InfluxDB 1.x with auth-enabled', () => {
  let broker: RunningService;
  let influx: RunningService;
  let mqttUrl: string;
  let influxUrl: string;
  let server: TestServer;
  let api: Api;

  /** One InfluxQL statement as the admin (the first one creates the admin: allowed while there is no user). */
  const influxql = (q: string, asAdmin = true) => runInfluxql(influxUrl, q, { db: DB, auth: asAdmin ? ADMIN : undefined });
  const count = async (measurement: string): Promise<number> => (await influxql(`SELECT * FROM "${measurement}"`))[0]?.values.length ?? 0;
  const config = (measurement: string, who: { user: string; password: string }) => ({
    server: influxUrl, version: 'v1', database: DB, measurement, username: who.user, password: who.password, timeout_secs: 5,
  });

  before(async () => {
    ({ svc: broker, url: mqttUrl } = await startMosquitto());
    influx = await startService('influxdb', { extraConfig: ['auth-enabled = true'] });
    influxUrl = influx.env.SLUICE_TEST_INFLUXDB_URL as string;
    await influxql(`CREATE USER ${ADMIN.user} WITH PASSWORD '${ADMIN.password}' WITH ALL PRIVILEGES`, false);
    await influxql(`CREATE DATABASE ${DB}`);
    await influxql(`CREATE USER ${WRITER.user} WITH PASSWORD '${WRITER.password}'`);
    await influxql(`GRANT WRITE ON ${DB} TO ${WRITER.user}`);
    await influxql(`CREATE USER ${READER.user} WITH PASSWORD '${READER.password}'`);
    await influxql(`GRANT READ ON ${DB} TO ${READER.user}`);
    server = await startTestServer({ mqttUrl });
    api = new Api(server.url);
  });
  after(async () => {
    await server?.cleanup();
    await influx?.stop();
    await broker?.stop();
  });

  test('a user with WRITE writes; the point is there for the admin to read', { timeout: 60_000 }, async () => {
    await api.create({ name: 'i-ok', type: 'influxdb', topic_filter: 'iauth/ok', config: config('ok', WRITER) });
    await primeWith(api, 'i-ok', mqttUrl, 'iauth/ok', 1);
    await api.until('i-ok', 'written', (s) => s.written >= 1 && s.pending === 0);
    assert.equal(await count('ok'), 1);
  });

  test('a wrong password (401): waiting, the error naming the user, never the password; fixing it recovers', { timeout: 90_000 }, async () => {
    await api.create({ name: 'i-401', type: 'influxdb', topic_filter: 'iauth/401', config: config('bad_pw', { user: WRITER.user, password: 'not-it-42' }) });
    const e = await api.until('i-401', 'waiting state', (s) => s.state === 'waiting' && s.last_error !== null);
    assert.match(e.last_error ?? '', /refused user "writer": check username, password and its WRITE privilege on "sluice_auth" \(HTTP 401/);
    assert.ok(!(e.last_error ?? '').includes('not-it-42'), 'no password in last_error');
    await api.ok('PATCH', '/api/v1/connectors/i-401', { config: { password: WRITER.password } });
    await api.until('i-401', 'running after the fix', (s) => s.state === 'running', 60_000);
    await primeWith(api, 'i-401', mqttUrl, 'iauth/401', 2);
    await api.until('i-401', 'written', (s) => s.written >= 1 && s.pending === 0);
    assert.equal(await count('bad_pw'), 1);
  });

  test('a user without WRITE (403): waiting, the error naming the user and the privilege', { timeout: 60_000 }, async () => {
    await api.create({ name: 'i-403', type: 'influxdb', topic_filter: 'iauth/403', config: config('no_priv', READER) });
    const e = await api.until('i-403', 'waiting state', (s) => s.state === 'waiting' && s.last_error !== null);
    assert.match(e.last_error ?? '', /refused user "reader": check username, password and its WRITE privilege on "sluice_auth" \(HTTP 403/);
    assert.ok(!(e.last_error ?? '').includes(READER.password));
  });
});
