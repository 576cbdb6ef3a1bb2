// The opentsdb sink: mapping and the /api/put?details outcome rules, and a read-back test
// end to end (MQTT → Sluice → VictoriaMetrics' OpenTSDB listener, read back with
// VictoriaMetrics' export API): metric, value, tags (tags_fields, the payload's tags object,
// templates), ms timestamps, and unmappable records dead-lettered alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { putOutcome } from '../../src/connectors/opentsdb/errors.js';
import { PointMapper } from '../../src/connectors/opentsdb/mapping.js';
import { SinkError, type SinkRecord } from '../../src/connectors/sink.js';
import { startService, type RunningService } from '../harness/services.js';
import { Api, publishNumbered, startMosquitto, waitFor } from '../helpers/runtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const rec = (payload: unknown, over: Partial<SinkRecord> = {}): SinkRecord => ({
  id: 'r-1', offset: 1, topic: 'site/dev7/temp', payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), qos: 1, retain: false, timestamp: 1_790_000_000_123, ...over,
});
const mapper = (over: Partial<ConstructorParameters<typeof PointMapper>[0]> = {}) => new PointMapper({ metric_field: 'metric', value_field: 'value', tags_fields: [], tags: {}, ...over });
const permanent = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof SinkError && e.kind === 'permanent' && pattern.test(e.message));
};

describe('opentsdb mapping', () => {
  test('the payload\'s tags object, the received time in ms, numeric strings as numbers', () => {
    assert.deepEqual(mapper().point(rec({ metric: 'cpu', value: '85.5', tags: { host: 'a', n: 3, empty: '', gone: null } })), { metric: 'cpu', value: 85.5, timestamp: 1_790_000_000_123, tags: { host: 'a', n: '3' } });
  });
  test('tags_fields (top-level fields) and templates, which win; seconds become ms', () => {
    const m = mapper({ metric_field: 'm', value_field: 'v', tags_fields: ['host', 'ok'], tags: { device: '${topic[1]}', host: 'fixed', none: '${topic[9]:-}' } });
    assert.deepEqual(m.point(rec({ m: 'temp', v: 21, host: 'h', ok: true, tags: { ignored: 'x' }, timestamp: 1_790_000_000 })), { metric: 'temp', value: 21, timestamp: 1_790_000_000_000, tags: { host: 'fixed', ok: 'true', device: 'dev7' } });
    assert.equal(m.point(rec({ m: 'temp', v: 1, timestamp: 1_790_000_000_456 })).timestamp, 1_790_000_000_456);
  });
  test('refused records name the rule', () => {
    permanent(() => mapper().point(rec('not json')), /not a JSON object/);
    permanent(() => mapper().point(rec([1, 2])), /not a JSON object/);
    permanent(() => mapper().point(rec('', { payload: Buffer.from([0xff, 0xfe]) })), /not a JSON object/);
    permanent(() => mapper().point(rec({ value: 1 })), /metric field "metric" is missing/);
    permanent(() => mapper().point(rec({ metric: 'cpu' })), /value field "value" is missing/);
    permanent(() => mapper().point(rec({ metric: 'cpu', value: 'high' })), /must be a finite number/);
    permanent(() => mapper().point(rec({ metric: 'cpu', value: true })), /must be a finite number/);
    permanent(() => mapper().point(rec({ metric: 'cpu', value: 1, timestamp: 'now' })), /timestamp must be/);
    permanent(() => mapper().point(rec({ metric: 'cpu', value: 1, tags: { a: { b: 1 } } })), /tag "a" must be a string/);
    permanent(() => mapper({ tags: { d: '${topic[9]}' } }).point(rec({ metric: 'cpu', value: 1 })), /tag d: .*topic\[9\]/);
  });
});

describe('opentsdb /api/put?details outcomes', () => {
  const sent = [
    { metric: 'cpu', timestamp: 1_790_000_000_000, value: 1, tags: { host: 'a' } },
    { metric: 'cpu', timestamp: 1_790_000_000_000, value: 2, tags: { host: 'b' } },
    { metric: 'cpu', timestamp: 1_790_000_000_001, value: 3, tags: { host: 'a' } },
  ];
  const answer = (status: number, body: unknown, retryAfter: string | null = null) => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body), retryAfter });
  const kindOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      return e instanceof SinkError ? e.kind : 'untyped';
    }
    return 'none';
  };

  test('2xx: written (VictoriaMetrics 204 without a body, OpenTSDB 200 with a summary)', () => {
    assert.deepEqual(putOutcome('put', answer(204, ''), sent), []);
    assert.deepEqual(putOutcome('put', answer(200, { success: 3, failed: 0, errors: [] }), sent), []);
  });
  test('OpenTSDB\'s 400 with details: each refused datapoint is matched back to its point', () => {
    // the shape OpenTSDB documents: the datapoint echoed as parsed (value as a string, timestamp as sent)
    const body = { success: 1, failed: 2, errors: [
      { datapoint: { metric: 'cpu', timestamp: 1_790_000_000_001, value: '3', tags: { host: 'a' } }, error: 'Unable to find UID for metric' },
      { datapoint: { metric: 'cpu', timestamp: 1_790_000_000, value: '2', tags: { host: 'b' } }, error: 'Please throttle writes: the region is busy' },
    ] };
    const failed = putOutcome('put', answer(400, body), sent);
    assert.deepEqual(failed.map((f) => [f.index, f.error.kind]), [[2, 'permanent'], [1, 'retriable']]);
    assert.match(failed[0]?.error.message ?? '', /Unable to find UID/);
  });
  test('a details answer that does not match the batch fails the whole batch as permanent (bisected)', () => {
    const body = { success: 0, failed: 1, errors: [{ datapoint: { metric: 'other', timestamp: 1, tags: {} }, error: 'x' }] };
    assert.equal(kindOf(() => putOutcome('put', answer(400, body), sent)), 'permanent');
  });
  test('a wrong path, credentials, 5xx and throttling are not the records\' fault', () => {
    assert.equal(kindOf(() => putOutcome('put', answer(400, 'unexpected path requested on HTTP OpenTSDB server: "/x/api/put"'), sent)), 'unavailable');
    assert.equal(kindOf(() => putOutcome('put', answer(404, 'not found'), sent)), 'unavailable');
    assert.equal(kindOf(() => putOutcome('put', answer(401, ''), sent)), 'unavailable');
    assert.equal(kindOf(() => putOutcome('put', answer(503, 'busy'), sent)), 'unavailable');
    assert.equal(kindOf(() => putOutcome('put', answer(429, '', '3'), sent)), 'retriable');
    assert.equal(kindOf(() => putOutcome('put', answer(413, 'too large'), sent)), 'permanent');
    assert.equal(kindOf(() => putOutcome('put', answer(400, 'cannot parse JSON'), sent)), 'permanent');
  });
});

describe('opentsdb sink against VictoriaMetrics\' OpenTSDB listener', () => {
  let broker: RunningService;
  let vm: RunningService;
  let server: TestServer;
  let api: Api;
  let vmUrl: string;
  let mqttUrl: string;

  type Series = { metric: Record<string, string>; values: number[]; timestamps: number[] };
  const exportSeries = async (metric: string): Promise<Series[]> => {
    await fetch(`${vmUrl}/internal/force_flush`);
    const res = await fetch(`${vmUrl}/api/v1/export?${new URLSearchParams({ 'match[]': `{__name__=${JSON.stringify(metric)}}` })}`);
    assert.equal(res.status, 200);
    return (await res.text()).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Series);
  };

  before(async () => {
    ({ svc: broker, url: mqttUrl } = await startMosquitto());
    vm = await startService('victoriametrics');
    vmUrl = vm.env.SLUICE_TEST_VM_URL as string;
    server = await startTestServer({ mqttUrl });
    api = new Api(server.url);
  });
  after(async () => {
    await server?.cleanup();
    await vm?.stop();
    await broker?.stop();
  });

  test('N messages arrive as points (metric, value, tags, ms timestamps); unmappable ones are dead-lettered alone', { timeout: 180_000 }, async () => {
    const N = 2000;
    const name = 'tsdb-readback';
    await api.create({
      name, type: 'opentsdb', topic_filter: 'tsdb/#',
      config: { server: vm.env.SLUICE_TEST_VM_OPENTSDB_URL, tags_fields: ['host'], tags: { device: '${topic[1]}' }, timeout_secs: 5 },
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 1, wait_time_ms: 100 },
      delivery: { batch_size: 500, linger_ms: 20 },
    });
    const bad = new Set([17, 1234]);
    const payload = (seq: number): string => (bad.has(seq) ? JSON.stringify({ metric: 'readback', value: 'n/a' }) : JSON.stringify({ metric: 'readback', value: seq + 0.5, host: `h${seq % 3}`, ...(seq === 5 ? { timestamp: 1_790_000_005 } : {}) }));
    const before = Date.now();
    const pub = await publishNumbered({ url: mqttUrl, seqs: Array.from({ length: N }, (_, i) => i), topic: (seq) => `tsdb/dev${seq % 2}`, payload, clientId: 'tsdb-pub' });
    assert.equal(pub.acked.size, N);
    const st = await api.until(name, 'everything accounted', (s) => s.written + s.dead_lettered >= N, 90_000);
    assert.equal(st.dead_lettered, 2);
    const series = await waitFor('all points read back', async () => {
      const s = await exportSeries('readback');
      return s.reduce((n, x) => n + x.values.length, 0) >= N - 2 ? s : undefined;
    }, { timeoutMs: 30_000 });
    const values = series.flatMap((s) => s.values).sort((a, b) => a - b);
    assert.deepEqual(values, Array.from({ length: N }, (_, i) => i).filter((i) => !bad.has(i)).map((i) => i + 0.5));
    const labels = new Set(series.map((s) => JSON.stringify(s.metric)));
    for (const host of ['h0', 'h1', 'h2']) for (const device of ['dev0', 'dev1']) {
      const expectHere = Array.from({ length: N }, (_, i) => i).some((i) => `h${i % 3}` === host && `dev${i % 2}` === device);
      if (expectHere) assert.ok(labels.has(JSON.stringify({ __name__: 'readback', host, device })), `series host=${host} device=${device}: ${[...labels].join(' ')}`);
    }
    const all = series.flatMap((s) => s.values.map((v, i) => [v, s.timestamps[i] as number] as const));
    assert.equal(all.find(([v]) => v === 5.5)?.[1], 1_790_000_005_000, 'a payload timestamp in seconds is stored in ms');
    for (const [v, ts] of all) if (v !== 5.5) assert.ok(ts >= before - 1000 && ts <= Date.now() + 1000 && ts % 1 === 0, `reception time in ms: ${ts}`);
    assert.ok(all.some(([, ts]) => ts % 1000 !== 0), 'millisecond precision kept');
  });
});
