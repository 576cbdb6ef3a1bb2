// The greptime sink through GreptimeDB's HTTP front door (test/helpers/greptime-proxy.ts: path,
// db/precision parameters, `Authorization: token user:password`) onto a real InfluxDB 1.x that
// parses and stores the lines; read back with InfluxQL. Checks what arrives (fields, tags,
// precision in RobustMQ's spelling), the Authorization header and the error kinds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { greptimeError } from '../../src/connectors/greptime/errors.js';
import { SinkError, type ConnectorSink, type SinkRecord } from '../../src/connectors/sink.js';
import { openSink } from '../../src/metadata/open-sink.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { startService, type RunningService } from '../harness/services.js';
import { startGreptimeProxy, type GreptimeProxy } from '../helpers/greptime-proxy.js';
import { influxql } from '../helpers/influxql.js';

const DB = 'greptime_test';
const USER = { user: 'greptime_user', password: 'pw with spaces:and colon' };
const ctx = { tenant: 'default', connectorName: 'greptime-test', log: () => undefined };

const rec = (i: number, payload: string, over: Partial<SinkRecord> = {}): SinkRecord => ({
  id: `g-${i}`, offset: i, topic: `plant/dev${i % 2}/telemetry`, payload: Buffer.from(payload), qos: 1, retain: false, timestamp: 1_790_000_000_000 + i * 1500, ...over,
});

describe('greptime sink (GreptimeDB front door → real InfluxDB 1.x)', () => {
  let influx: RunningService;
  let upstream: string;
  let proxy: GreptimeProxy;
  const sinks: ConnectorSink[] = [];
  const sink = async (config: Record<string, unknown>): Promise<ConnectorSink> => {
    const s = await openSink(parseConnectorType('greptime'), { server_addr: proxy.addr, database: DB, ...USER, ...config }, ctx);
    sinks.push(s);
    return s;
  };

  before(async () => {
    influx = await startService('influxdb');
    upstream = influx.env.SLUICE_TEST_INFLUXDB_URL as string;
    await influxql(upstream, `CREATE DATABASE ${DB}`, { db: DB });
    proxy = await startGreptimeProxy({ upstream, ...USER });
  });
  after(async () => {
    for (const s of sinks) await s.cleanup();
    await proxy?.close();
    await influx?.stop();
  });

  test('points arrive as documented: JSON fields, tag templates and tag_fields, ms timestamps', async () => {
    const s = await sink({ measurement: 'telemetry', tags: { device: '${topic[1]}' }, tag_fields: ['unit'] });
    await s.validate();
    await s.init();
    const batch = [rec(1, '{"temp":21.5,"unit":"C","ok":true,"meta":{"fw":"1.2"}}'), rec(2, 'plain text'), rec(3, '{"temp":22}')];
    assert.deepEqual(await s.sendBatch(batch), { failed: [] });
    const [series] = await influxql(upstream, 'SELECT * FROM telemetry', { db: DB });
    assert.ok(series);
    const rows = series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])));
    assert.deepEqual(rows.map((r) => r.time), [1_790_000_001_500_000, 1_790_000_003_000_000, 1_790_000_004_500_000], 'ms precision (read back in µs)');
    assert.deepEqual(rows[0], { time: 1_790_000_001_500_000, device: 'dev1', unit: 'C', temp: 21.5, ok: true, meta_fw: '1.2', payload: null, payload_encoding: null });
    assert.equal(rows[1]?.payload, 'plain text');
    assert.equal(rows[1]?.device, 'dev0');
  });

  test('precision in RobustMQ\'s spelling (Second) reaches the write as s', async () => {
    const s = await sink({ measurement: 'seconds', precision: 'Second' });
    await s.init();
    const before = proxy.writes;
    assert.deepEqual(await s.sendBatch([rec(7, '{"v":1}')]), { failed: [] });
    assert.equal(proxy.writes, before + 1);
    const [series] = await influxql(upstream, 'SELECT v FROM seconds', { db: DB });
    assert.deepEqual(series?.values.map((v) => v[0]), [1_790_000_010_000_000], 'the timestamp in seconds (10,500 ms → 10 s)');
  });

  test('the Authorization header: a wrong password or none at all is refused (401) as unavailable, nothing written', async () => {
    for (const creds of [{ password: 'wrong' }, { user: '', password: '' }]) {
      const s = await sink({ measurement: 'refused', ...creds });
      await assert.rejects(s.validate(), /refused/);
      await s.init();
      const r = await s.sendBatch([rec(1, '{"v":1}'), rec(2, '{"v":2}')]);
      assert.deepEqual(r.failed.map((f) => [f.index, f.error.kind]), [[0, 'unavailable'], [1, 'unavailable']]);
      assert.match(r.failed[0]?.error.message ?? '', /HTTP 401/);
      assert.doesNotMatch(r.failed[0]?.error.message ?? '', /wrong|pw with/, 'no password in the message');
    }
    assert.deepEqual(await influxql(upstream, 'SELECT * FROM refused', { db: DB }), []);
  });

  test('a missing database is unavailable, invalid line content permanent, an unmappable record fails alone', async () => {
    const missing = await sink({ database: 'no_such_db', measurement: 'm' });
    await missing.init();
    const r = await missing.sendBatch([rec(1, '{"v":1}')]);
    assert.equal(r.failed[0]?.error.kind, 'unavailable', r.failed[0]?.error.message);
    const s = await sink({ measurement: 'typed' });
    await s.init();
    assert.deepEqual(await s.sendBatch([rec(1, '{"v":1}')]), { failed: [] });
    await assert.rejects(s.sendBatch([rec(2, '{"v":"text"}')]), (e: unknown) => e instanceof SinkError && e.kind === 'permanent' && /field type conflict/.test(e.message));
    const mixed = await s.sendBatch([rec(3, '{"v":3}'), rec(4, '{"a":[1]}')]);
    assert.deepEqual(mixed.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.match(mixed.failed[0]?.error.message ?? '', /^greptime: .*no field GreptimeDB can store/);
  });

  test('GreptimeDB\'s "database not found" in a 400 is unavailable, other 400s stay permanent', () => {
    assert.equal(greptimeError(SinkError.permanent('greptime: write answered HTTP 400: Database not found: greptime.nope')).kind, 'unavailable');
    assert.equal(greptimeError(SinkError.permanent('greptime: write answered HTTP 400: invalid column type')).kind, 'permanent');
  });
});
