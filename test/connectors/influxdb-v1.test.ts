// Integration: the influxdb sink, version v1, against a real InfluxDB 1.x (harness) with the source
// on a real Mosquitto. Everything is read back with InfluxQL (`/query`): content and exact escaping,
// a restart of InfluxDB mid-stream (discard_after_retry loses nothing; discard counts its drops),
// unmappable and refused points dead-lettered alone, a missing database recovering by itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { startService, type RunningService } from '../harness/services.js';
import { Api, assertAccounting, primeWith, publishNumbered, range, sleep, timedDrain, startMosquitto, waitFor, type Status } from '../helpers/runtime.js';
import { influxql as runInfluxql, type Series } from '../helpers/influxql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const DB = 'sluice';

type Row = Record<string, unknown>;

describe('influxdb v1 sink against InfluxDB 1.x', () => {
  let broker: RunningService;
  let influx: RunningService;
  let mqttUrl: string;
  let influxUrl: string;
  let server: TestServer;
  let api: Api;

  const influxql = (q: string, db = DB): Promise<Series[]> => runInfluxql(influxUrl, q, { db });
  const rows = async (measurement: string, db = DB): Promise<Row[]> => {
    const [s] = await influxql(`SELECT * FROM "${measurement.replace(/["\\]/g, '\\$&')}"`, db);
    if (!s) return [];
    return s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
  };
  const seqsOf = (rs: Row[]): number[] => rs.map((r) => r.seq as number).sort((a, b) => a - b);
  const up = async (): Promise<boolean> => fetch(`${influxUrl}/ping`, { signal: AbortSignal.timeout(500) }).then((r) => r.status === 204, () => false);

  const v1Config = (measurement: string, over: Record<string, unknown> = {}) => ({
    server: influxUrl, version: 'v1', database: DB, measurement, precision: 'us', timeout_secs: 5, ...over,
  });

  before(async () => {
    ({ svc: broker, url: mqttUrl } = await startMosquitto());
    influx = await startService('influxdb');
    influxUrl = influx.env.SLUICE_TEST_INFLUXDB_URL as string;
    await influxql(`CREATE DATABASE ${DB}`);
    server = await startTestServer({ mqttUrl });
    api = new Api(server.url);
  });
  after(async () => {
    await server?.cleanup();
    await influx?.stop();
    await broker?.stop();
  });

  test('content: N messages arrive as documented (fields, tags, escaping, µs timestamps); throughput', { timeout: 180_000 }, async () => {
    const N = 5000;
    const name = 'v1-content';
    const measurement = 'mqtt reading,v1';
    await api.create({
      name, type: 'influxdb', topic_filter: 'v1c/#',
      config: v1Config(measurement, { tags: { site: '${topic[1]}', device: '${topic[2]}' }, tag_fields: ['unit'] }),
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 5, wait_time_ms: 200 },
      delivery: { batch_size: 1000, linger_ms: 50 },
    });
    await api.until(name, 'running', (s) => s.state === 'running');
    const topic = (seq: number) => `v1c/site ${seq % 3},x/dev=${seq % 50}`;
    const payload = (seq: number) => JSON.stringify({ seq, temp: seq / 10 - 40, ok: seq % 2 === 0, unit: 'C', note: `say "hi" \\ ${seq}\nline 2`, nested: { x: seq * 3 } });
    const { status: s, total, secs, t0, t1 } = await timedDrain(api, { name, url: mqttUrl, topic, payload, n: N, clientId: 'v1c-pub' });
    console.log(`[influxdb v1] ${N - 1} messages MQTT → Sluice → InfluxDB 1.x: drained in ${secs.toFixed(2)} s = ${Math.round((N - 1) / secs)} rows/s`);
    assertAccounting(s);
    assert.equal(s.dead_lettered, 0);

    const got = await rows(measurement);
    assert.equal(got.length, total, 'one point per message');
    assert.deepEqual([...new Set(seqsOf(got))], range(0, N));
    const times = new Set<number>();
    for (const r of got) {
      const seq = r.seq as number;
      assert.deepEqual(
        { site: r.site, device: r.device, unit: r.unit, temp: r.temp, ok: r.ok, note: r.note, nested_x: r.nested_x },
        { site: `site ${seq % 3},x`, device: `dev=${seq % 50}`, unit: 'C', temp: seq / 10 - 40, ok: seq % 2 === 0, note: `say "hi" \\ ${seq}\nline 2`, nested_x: seq * 3 },
        `seq ${seq}`,
      );
      const us = r.time as number;
      assert.ok(us >= t0 * 1000 && us <= t1 * 1000, `time ${us} µs is the reception time (${t0}–${t1} ms), not 1970`);
      times.add(us);
    }
    assert.equal(times.size, total, 'every point has its own timestamp (sub-ms digits from the offset)');
  });

  test('hostile names and values round-trip exactly; non-JSON and binary payloads as payload fields', { timeout: 60_000 }, async () => {
    const name = 'v1-hostile';
    const measurement = 'hostile m,1=x';
    await api.create({
      name, type: 'influxdb', topic_filter: 'v1h/#',
      config: v1Config(measurement, { tags: { 'lvl,1=x"y"': '${topic[1]}', whole: '${topic}' }, tag_fields: ['t "q"'] }),
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 1, wait_time_ms: 100 },
      delivery: { batch_size: 10, linger_ms: 20 },
    });
    await api.until(name, 'running', (s) => s.state === 'running');
    const level = 'a b,c=d\\e\\\\f g ☃ "h"'; // (Mosquitto refuses control characters in topics)
    const key = 'k ,=\\x "y" é';
    const value = 'v "q" \\ \\\\ , = \n\r\t end\\';
    const text = 'not json: "quoted" \\ \n second line';
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x80]);
    await primeWith(api, name, mqttUrl, `v1h/${level}/1`, 1, () => JSON.stringify({ seq: 1, [key]: value, 't "q"': 'tag ,= \\v\tx' }));
    const c = await mqtt.connectAsync(mqttUrl, { clientId: 'v1h-pub', reconnectPeriod: 0 });
    try {
      await c.publishAsync('v1h/text/2', text, { qos: 1 });
      await c.publishAsync('v1h/bin/3', binary, { qos: 1 });
    } finally {
      await c.endAsync();
    }
    const s = await api.until(name, 'settled', (x) => x.received >= 3 && x.pending === 0, 30_000);
    assertAccounting(s);
    const letters = await api.ok<{ items: unknown[] }>('GET', `/api/v1/connectors/${name}/dead-letters`);
    assert.equal(s.written, s.received, JSON.stringify(letters.items));
    const got = await rows(measurement);
    assert.equal(got.length, s.written);
    const json = got.find((r) => r.seq === 1);
    assert.ok(json, JSON.stringify(got));
    assert.equal(json['lvl,1=x"y"'], level);
    assert.equal(json.whole, `v1h/${level}/1`);
    assert.equal(json[key], value);
    assert.equal(json['t "q"'], 'tag ,= \\v\tx');
    const plain = got.find((r) => r.whole === 'v1h/text/2');
    assert.deepEqual([plain?.payload, plain?.payload_encoding], [text, 'utf8']);
    const bin = got.find((r) => r.whole === 'v1h/bin/3');
    assert.equal(bin?.payload_encoding, 'base64');
    assert.deepEqual(Buffer.from(bin?.payload as string, 'base64'), binary);
    // the tag values as InfluxDB indexes them
    const tagValues = await influxql(`SHOW TAG VALUES FROM "${measurement}" WITH KEY = "lvl,1=x\\"y\\""`);
    assert.deepEqual(tagValues[0]?.values.map((v) => v[1]).sort(), ['bin', level, 'text'].sort());
  });

  test('bad data: an unmappable record and a point InfluxDB refuses are dead-lettered alone; the rest of the batch lands', { timeout: 60_000 }, async () => {
    const name = 'v1-bad';
    const measurement = 'bad data';
    await api.create({
      name, type: 'influxdb', topic_filter: 'v1b/#', config: v1Config(measurement),
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 2, wait_time_ms: 50 },
      delivery: { batch_size: 100, linger_ms: 50 },
    });
    await api.until(name, 'running', (s) => s.state === 'running');
    const payload = (seq: number) => (seq === 10 ? '{"a":[10],"b":null}' : seq === 20 ? '{"seq":20,"temp":"hot"}' : JSON.stringify({ seq, temp: seq }));
    // seq 0 fixes the type of `temp` as float; seq 20 then conflicts with it (HTTP 400 partial write)
    await primeWith(api, name, mqttUrl, 'v1b/x', 0, payload);
    const base = (await api.until(name, 'prime written', (s) => s.written >= 1 && s.pending === 0)).received;
    await api.ok('POST', `/api/v1/connectors/${name}/pause`);
    await publishNumbered({ url: mqttUrl, seqs: range(1, 50), topic: () => 'v1b/x', payload, clientId: 'v1b-pub' });
    await api.until(name, 'journaled', (s) => s.received === base + 49);
    await api.ok('POST', `/api/v1/connectors/${name}/resume`);
    const s = await api.until(name, 'settled', (x) => x.pending === 0 && x.written + x.dead_lettered === base + 49, 30_000);
    assertAccounting(s);
    assert.equal(s.dead_lettered, 2);
    assert.equal(s.written, base + 47);
    assert.equal(s.retries, 0, 'permanent errors skip the retries');
    assert.deepEqual([...new Set(seqsOf(await rows(measurement)))], range(0, 50).filter((x) => x !== 10 && x !== 20));
    const list = await api.ok<{ items: { payload: string; error_message: string }[] }>('GET', `/api/v1/connectors/${name}/dead-letters?limit=10`);
    const bySeq = new Map(list.items.map((d) => [(JSON.parse(d.payload) as { seq?: number }).seq ?? 10, d.error_message]));
    assert.deepEqual([...bySeq.keys()].sort((a, b) => a - b), [10, 20]);
    assert.match(bySeq.get(10) ?? '', /no field InfluxDB can store/);
    assert.match(bySeq.get(20) ?? '', /HTTP 400: partial write: field type conflict/);
  });

  test('outage: InfluxDB restarted mid-stream; the connectors wait: with discard_after_retry and with discard nothing is lost or charged', { timeout: 180_000 }, async () => {
    const strategies = {
      'v1-retry': { strategy: 'discard_after_retry', retry_total_times: 200, wait_time_ms: 100 },
      'v1-drop': { strategy: 'discard' },
    };
    for (const [name, failure_strategy] of Object.entries(strategies)) {
      await api.create({ name, type: 'influxdb', topic_filter: 'v1o/#', config: v1Config(name, { precision: 'ns' }), failure_strategy, delivery: { batch_size: 100, linger_ms: 20 } });
      await api.until(name, 'running', (x) => x.state === 'running');
      await primeWith(api, name, mqttUrl, 'v1o/a', 0);
    }
    // each connector's count so far (the second one's primes reached the first as well)
    const base: Record<string, number> = {};
    for (const name of Object.keys(strategies)) base[name] = (await api.until(name, 'primes written', (x) => x.written === x.received && x.pending === 0)).received;
    const N = 3000;
    const seqs = range(1, N + 1);
    // phase 1: a third of the stream with InfluxDB up
    await publishNumbered({ url: mqttUrl, seqs: seqs.slice(0, 1000), topic: (q) => `v1o/${q % 4}`, clientId: 'v1o-pub1' });
    // phase 2: restart InfluxDB; publish while it is down
    const restarting = influx.restart!();
    await waitFor('InfluxDB down', async () => !(await up()), { timeoutMs: 20_000, intervalMs: 20 });
    await publishNumbered({ url: mqttUrl, seqs: seqs.slice(1000, 2000), topic: (q) => `v1o/${q % 4}`, clientId: 'v1o-pub2' });
    const during = await api.status('v1-drop');
    await restarting;
    // phase 3: the rest with InfluxDB back
    await publishNumbered({ url: mqttUrl, seqs: seqs.slice(2000), topic: (q) => `v1o/${q % 4}`, clientId: 'v1o-pub3' });
    // (a late prime may still add one: wait for at least the stream, then count what arrived)
    for (const name of Object.keys(strategies)) {
      const s: Status = await api.until(name, 'the stream written', (x) => x.received >= N + (base[name] as number) && x.pending === 0, 120_000);
      const got = await rows(name);
      console.log(`[influxdb v1] outage, ${name}: wrote ${s.written}/${s.received}, ${s.retries} retries charged, discarded ${JSON.stringify(s.discarded)} (InfluxDB holds ${got.length})`);
      assertAccounting(s, name);
      assert.equal(s.written, s.received, JSON.stringify(s));
      assert.deepEqual([s.discarded_total, s.retries], [0, 0], `${name}: an unavailable target is neither a drop nor a retry`);
      assert.deepEqual([...new Set(seqsOf(got))], range(0, N + 1), `${name}: nothing lost`);
      assert.equal(got.length, s.received, 'a re-sent batch overwrites its own points (same timestamps): no duplicates');
    }
    assert.equal(during.discarded_total, 0, 'nothing dropped while InfluxDB was down');
  });

  test('bad config: a missing database makes the connector wait with a clear message; creating it recovers', { timeout: 90_000 }, async () => {
    const name = 'v1-nodb';
    await api.create({ name, type: 'influxdb', topic_filter: 'v1n/#', config: v1Config('late', { database: 'late_db' }), delivery: { batch_size: 10, linger_ms: 10 } });
    const e = await api.until(name, 'waiting state', (x) => x.state === 'waiting' && x.last_error !== null, 30_000);
    assert.match(e.last_error ?? '', /database "late_db" does not exist on http:\/\/127\.0\.0\.1:\d+: create it \(CREATE DATABASE "late_db"\)/);
    assert.equal(e.written, 0);
    await sleep(500);
    await influxql('CREATE DATABASE late_db');
    await api.until(name, 'running again by itself', (x) => x.state === 'running', 60_000);
    await primeWith(api, name, mqttUrl, 'v1n/a', 0);
    const base = (await api.until(name, 'prime written', (x) => x.written >= 1 && x.pending === 0)).received;
    await publishNumbered({ url: mqttUrl, seqs: range(1, 20), topic: () => 'v1n/a', clientId: 'v1n-pub' });
    const s = await api.until(name, 'all written', (x) => x.written === base + 19 && x.pending === 0);
    assertAccounting(s);
    assert.deepEqual([...new Set(seqsOf(await rows('late', 'late_db')))], range(0, 20));
  });
});
