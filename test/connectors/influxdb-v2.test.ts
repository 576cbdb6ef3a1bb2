// Integration: the influxdb sink, version v2 (through @influxdata/influxdb-client), against a real
// VictoriaMetrics speaking the InfluxDB v2 write API, with the source on a real Mosquitto. Read back
// with VictoriaMetrics' own export API (`<measurement>_<field>` metrics, tags as labels): an
// unreachable server that comes up later, content and throughput, an unmappable record.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, startService, type RunningService } from '../harness/services.js';
import { Api, assertAccounting, primeWith, publishNumbered, range, startMosquitto, timedDrain, waitFor } from '../helpers/runtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface Exported { metric: Record<string, string>; values: number[]; timestamps: number[] }

describe('influxdb v2 sink against VictoriaMetrics', () => {
  let broker: RunningService;
  let vm: RunningService | undefined;
  let vmPort: number;
  let vmUrl: string;
  let mqttUrl: string;
  let server: TestServer;
  let api: Api;

  /** Every series of `measurement`, once `expect` samples are visible (VictoriaMetrics shows new samples after a flush). */
  const exported = async (measurement: string, expect: number): Promise<Exported[]> => {
    let series: Exported[] = [];
    await waitFor(`${expect} samples of ${measurement}_* in VictoriaMetrics`, async () => {
      await fetch(`${vmUrl}/internal/force_flush`).then((r) => r.arrayBuffer());
      const u = new URL('/api/v1/export', vmUrl);
      u.searchParams.set('match[]', `{__name__=~"${measurement}_.*"}`);
      const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      const text = await res.text();
      series = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Exported);
      return series.reduce((n, s) => n + s.values.length, 0) >= expect;
    }, { timeoutMs: 30_000, intervalMs: 300, describe: () => series.reduce((n, s) => n + s.values.length, 0) });
    return series;
  };
  const valuesOf = (series: Exported[], name: string): number[] => series.filter((s) => s.metric.__name__ === name).flatMap((s) => s.values).sort((a, b) => a - b);

  const v2Config = (measurement: string, over: Record<string, unknown> = {}) => ({
    server: vmUrl, version: 'v2', org: 'sluice-org', bucket: 'sluice-bucket', token: 'ignored-by-vm', measurement, timeout_secs: 5, ...over,
  });

  before(async () => {
    ({ svc: broker, url: mqttUrl } = await startMosquitto());
    vmPort = await freePort();
    vmUrl = `http://127.0.0.1:${vmPort}`;
    server = await startTestServer({ mqttUrl });
    api = new Api(server.url);
  });
  after(async () => {
    await server?.cleanup();
    await vm?.stop();
    await broker?.stop();
  });

  test('bad config: an unreachable server makes the connector wait; once it is up the connector recovers and nothing is lost', { timeout: 120_000 }, async () => {
    const name = 'v2-late';
    await api.create({ name, type: 'influxdb', topic_filter: 'v2l/#', config: v2Config('v2_late'), delivery: { batch_size: 50, linger_ms: 10 } });
    const e = await api.until(name, 'waiting state', (x) => x.state === 'waiting' && x.last_error !== null, 30_000);
    assert.match(e.last_error ?? '', new RegExp(`influxdb sink: cannot reach http://127\\.0\\.0\\.1:${vmPort}: .*ECONNREFUSED`));
    // the source keeps journaling while the sink is in error
    await primeWith(api, name, mqttUrl, 'v2l/a', 0);
    await publishNumbered({ url: mqttUrl, seqs: range(1, 20), topic: () => 'v2l/a', clientId: 'v2l-pub' });
    const waiting = await api.until(name, 'journaled', (x) => x.received >= 20);
    assert.equal(waiting.written, 0);
    vm = await startService('victoriametrics', { port: vmPort });
    const s = await api.until(name, 'running and drained', (x) => x.state === 'running' && x.pending === 0 && x.written === x.received, 60_000);
    assertAccounting(s);
    assert.deepEqual([...new Set(valuesOf(await exported('v2_late', s.written), 'v2_late_seq'))], range(0, 20));
  });

  test('content: N messages arrive as documented (float and boolean fields, tags as labels, ms timestamps); throughput', { timeout: 180_000 }, async () => {
    assert.ok(vm, 'VictoriaMetrics started by the previous test');
    const N = 5000;
    const name = 'v2-content';
    await api.create({
      name, type: 'influxdb', topic_filter: 'v2c/#',
      config: v2Config('v2_content', { precision: 'ms', tags: { site: '${topic[1]}', device: '${topic[2]}' }, tag_fields: ['unit'] }),
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 5, wait_time_ms: 200 },
      delivery: { batch_size: 1000, linger_ms: 50 },
    });
    await api.until(name, 'running', (s) => s.state === 'running');
    const topic = (seq: number) => `v2c/site ${seq % 3},x=1/dev-${seq}`;
    const payload = (seq: number) => JSON.stringify({ seq, temp: seq / 4 - 100, ok: seq % 2 === 0, unit: 'C "deg"', nested: { x: seq * 3 }, skipped: [seq] });
    const { status: s, total, secs, t0, t1 } = await timedDrain(api, { name, url: mqttUrl, topic, payload, n: N, clientId: 'v2c-pub' });
    console.log(`[influxdb v2] ${N - 1} messages MQTT → Sluice → VictoriaMetrics (/api/v2/write): drained in ${secs.toFixed(2)} s = ${Math.round((N - 1) / secs)} rows/s`);
    assertAccounting(s);
    assert.equal(s.dead_lettered, 0);

    // 4 numeric fields per message (seq, temp, ok, nested_x); one series per device
    const series = await exported('v2_content', total * 4);
    assert.deepEqual(new Set(series.map((x) => x.metric.__name__)), new Set(['v2_content_seq', 'v2_content_temp', 'v2_content_ok', 'v2_content_nested_x']));
    const byDevice = new Map<string, Map<string, Exported>>();
    for (const x of series) {
      const dev = x.metric.device as string;
      if (!byDevice.has(dev)) byDevice.set(dev, new Map());
      byDevice.get(dev)?.set(x.metric.__name__ as string, x);
    }
    assert.equal(byDevice.size, N);
    for (let seq = 0; seq < N; seq++) {
      const fields = byDevice.get(`dev-${seq}`);
      assert.ok(fields, `device dev-${seq}`);
      const one = (f: string) => {
        const x = fields.get(`v2_content_${f}`);
        assert.ok(x, `${f} of seq ${seq}`);
        assert.deepEqual(x.metric, { __name__: `v2_content_${f}`, site: `site ${seq % 3},x=1`, device: `dev-${seq}`, unit: 'C "deg"' });
        for (const ts of x.timestamps) assert.ok(ts >= t0 && ts <= t1, `timestamp ${ts} is the reception time (${t0}–${t1}), not 1970`);
        return [...new Set(x.values)];
      };
      assert.deepEqual(one('seq'), [seq]);
      assert.deepEqual(one('temp'), [seq / 4 - 100]);
      assert.deepEqual(one('ok'), [seq % 2 === 0 ? 1 : 0]);
      assert.deepEqual(one('nested_x'), [seq * 3]);
    }
  });

  test('bad data: a JSON payload with no usable field is dead-lettered alone; the rest of its batch lands', { timeout: 60_000 }, async () => {
    assert.ok(vm, 'VictoriaMetrics started by the first test');
    const name = 'v2-bad';
    await api.create({
      name, type: 'influxdb', topic_filter: 'v2b/#', config: v2Config('v2_bad'),
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 2, wait_time_ms: 50 },
      delivery: { batch_size: 100, linger_ms: 50 },
    });
    await api.until(name, 'running', (s) => s.state === 'running');
    const payload = (seq: number) => (seq === 10 ? '{"a":[1],"b":{"c":null}}' : JSON.stringify({ seq }));
    await primeWith(api, name, mqttUrl, 'v2b/x', 0, payload);
    const base = (await api.until(name, 'prime written', (s) => s.written >= 1 && s.pending === 0)).received;
    await api.ok('POST', `/api/v1/connectors/${name}/pause`);
    await publishNumbered({ url: mqttUrl, seqs: range(1, 50), topic: () => 'v2b/x', payload, clientId: 'v2b-pub' });
    await api.until(name, 'journaled', (s) => s.received === base + 49);
    await api.ok('POST', `/api/v1/connectors/${name}/resume`);
    const s = await api.until(name, 'settled', (x) => x.pending === 0 && x.written + x.dead_lettered === base + 49, 30_000);
    assertAccounting(s);
    assert.equal(s.dead_lettered, 1);
    assert.equal(s.written, base + 48);
    assert.equal(s.retries, 0, 'a permanent error skips the retries');
    const list = await api.ok<{ items: { payload: string; error_message: string }[] }>('GET', `/api/v1/connectors/${name}/dead-letters`);
    assert.deepEqual(list.items.map((d) => d.payload), ['{"a":[1],"b":{"c":null}}']);
    assert.match(list.items[0]?.error_message ?? '', /no field InfluxDB can store/);
    assert.deepEqual([...new Set(valuesOf(await exported('v2_bad', s.written), 'v2_bad_seq'))], range(0, 50).filter((x) => x !== 10));
  });
});
