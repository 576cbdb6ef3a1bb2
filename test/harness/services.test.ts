// Integration test of the real-server harness: each service is started for
// real (installed on demand), exercised through its own protocol, and stopped.
//   node --import tsx --test test/harness/services.test.ts
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { test, type TestContext } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { readdirSync, readFileSync } from 'node:fs';
import { kafkaBrokerCommandLine, kafkaMetadataBrokers, serviceNames, startService, type RunningService, type ServiceName } from './services.js';

const MIN = 60_000;

test('one pattern: every file in test/harness/services is a listed service with an install function', () => {
  const files = readdirSync('test/harness/services').filter((f) => f.endsWith('.ts') && f !== 'common.ts').map((f) => f.slice(0, -3)).sort();
  assert.deepEqual([...serviceNames()].sort(), files);
  const script = readFileSync('scripts/services/install.sh', 'utf8');
  for (const name of files) assert.match(script, new RegExp(`^install_${name.replaceAll('-', '_')}\\(\\)`, 'm'), `install.sh has no install_${name}`);
});

async function timedStart(t: TestContext, name: ServiceName): Promise<RunningService> {
  const t0 = Date.now();
  const svc = await startService(name);
  t.diagnostic(`${name} ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${JSON.stringify(svc.env)}`);
  return svc;
}

function envOf(svc: RunningService, key: string): string {
  const v = svc.env[key];
  assert.ok(v, `${svc.name} env lacks ${key}`);
  return v;
}

async function http(url: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

function nextMessage(client: MqttClient, topic: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no message on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    client.on('message', (tp, payload) => {
      if (tp === topic) { clearTimeout(timer); ok(payload.toString()); }
    });
  });
}

test('mosquitto: publish/subscribe, and a persistent session survives restart()', { timeout: 5 * MIN }, async (t) => {
  const svc = await timedStart(t, 'mosquitto');
  const url = envOf(svc, 'SLUICE_TEST_MQTT_URL');
  const clients: MqttClient[] = [];
  try {
    const sub = await mqtt.connectAsync(url, { clientId: 'harness-sub', reconnectPeriod: 0 });
    const pub = await mqtt.connectAsync(url, { clientId: 'harness-pub', reconnectPeriod: 0 });
    clients.push(sub, pub);
    await sub.subscribeAsync('harness/basic', { qos: 1 });
    const got = nextMessage(sub, 'harness/basic');
    await pub.publishAsync('harness/basic', 'hello', { qos: 1 });
    assert.equal(await got, 'hello');

    // A persistent QoS1 session; the message is published while we are offline.
    const opts = { clientId: 'harness-persist', clean: false, reconnectPeriod: 0 } as const;
    const p1 = await mqtt.connectAsync(url, opts);
    await p1.subscribeAsync('harness/persist', { qos: 1 });
    await p1.endAsync();
    await pub.publishAsync('harness/persist', 'queued-while-offline', { qos: 1 });
    await pub.endAsync();

    const t0 = Date.now();
    await svc.restart?.();
    t.diagnostic(`mosquitto restarted in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

    const p2 = mqtt.connect(url, opts);
    clients.push(p2);
    const queued = nextMessage(p2, 'harness/persist');
    const connack = await new Promise<boolean>((ok, fail) => {
      p2.once('connect', (ack) => ok(ack.sessionPresent));
      p2.once('error', fail);
    });
    assert.equal(connack, true, 'session should survive the restart');
    assert.equal(await queued, 'queued-while-offline');
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await svc.stop();
  }
});

test('clickhouse: SELECT 1 and a MergeTree round trip over HTTP', { timeout: 5 * MIN }, async (t) => {
  const svc = await timedStart(t, 'clickhouse');
  const url = envOf(svc, 'SLUICE_TEST_CLICKHOUSE_URL');
  try {
    const q = (sql: string, body?: string) => http(`${url}/?query=${encodeURIComponent(sql)}`, body === undefined ? undefined : { method: 'POST', body });
    assert.deepEqual(await http(`${url}/?query=SELECT%201`), { status: 200, body: '1\n' });
    assert.equal((await q('CREATE TABLE t (ts DateTime, v Float64) ENGINE = MergeTree ORDER BY ts', '')).status, 200);
    assert.equal((await q('INSERT INTO t FORMAT JSONEachRow', '{"ts":"2024-01-01 00:00:00","v":1.5}\n{"ts":"2024-01-01 00:00:01","v":2}\n')).status, 200);
    assert.deepEqual(await q('SELECT count(), sum(v) FROM t'), { status: 200, body: '2\t3.5\n' });
  } finally {
    await svc.stop();
  }
});

test('victoriametrics: influx v2 write and opentsdb put, read back via export', { timeout: 5 * MIN }, async (t) => {
  const svc = await timedStart(t, 'victoriametrics');
  const url = envOf(svc, 'SLUICE_TEST_VM_URL');
  const otsdb = envOf(svc, 'SLUICE_TEST_VM_OPENTSDB_URL');
  try {
    const nowMs = Date.now();
    const w = await http(`${url}/api/v2/write?bucket=x&org=y`, { method: 'POST', body: `harness,host=a value=42 ${nowMs}000000\n` });
    assert.equal(w.status, 204, w.body);
    const put = await http(`${otsdb}/api/put`, {
      method: 'POST', body: JSON.stringify({ metric: 'harness.otsdb', timestamp: Math.floor(nowMs / 1000), value: 7, tags: { host: 'b' } }),
    });
    assert.equal(put.status, 204, put.body);
    // Even after /internal/force_flush, VictoriaMetrics 1.79 shows fresh samples
    // only ~1 s after they were written: poll.
    const want = (text: string) => text.includes('"harness_value"') && text.includes('"harness.otsdb"');
    let exported = '';
    for (let i = 0; i < 100 && !want(exported); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      await http(`${url}/internal/force_flush`);
      exported = (await http(`${url}/api/v1/export?match[]=${encodeURIComponent('{__name__=~"harness.*"}')}`)).body;
    }
    const rows = exported.trim().split('\n').map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[] });
    assert.deepEqual(rows.find((r) => r.metric.__name__ === 'harness_value')?.values, [42], exported);
    assert.deepEqual(rows.find((r) => r.metric.__name__ === 'harness.otsdb')?.values, [7], exported);
  } finally {
    await svc.stop();
  }
});

test('influxdb: create database, /write, SELECT back', { timeout: 5 * MIN }, async (t) => {
  const svc = await timedStart(t, 'influxdb');
  const url = envOf(svc, 'SLUICE_TEST_INFLUXDB_URL');
  try {
    assert.equal((await http(`${url}/query?q=${encodeURIComponent('CREATE DATABASE t')}`, { method: 'POST' })).status, 200);
    const w = await http(`${url}/write?db=t&precision=ms`, { method: 'POST', body: `m,host=a value=1.5 ${Date.now()}\n` });
    assert.equal(w.status, 204, w.body);
    const r = await http(`${url}/query?db=t&q=${encodeURIComponent('SELECT value, host FROM m')}`);
    assert.equal(r.status, 200, r.body);
    const parsed = JSON.parse(r.body) as { results: Array<{ series?: Array<{ columns: string[]; values: unknown[][] }> }> };
    const series = parsed.results[0]?.series?.[0];
    assert.deepEqual(series?.columns, ['time', 'value', 'host'], r.body);
    assert.deepEqual(series?.values.map((v) => v.slice(1)), [[1.5, 'a']], r.body);
  } finally {
    await svc.stop();
  }
});

test('kafka: KRaft broker accepts TCP and answers a Metadata request', { timeout: 15 * MIN }, async (t) => {
  // SLUICE_KAFKA_JVM_OPTS set after the harness was imported (as bench/run.ts does) still reaches
  // the broker's JVM: the test settings plus a marker, read back from the process's command line
  const before = process.env.SLUICE_KAFKA_JVM_OPTS;
  const opts = '-Xms128m -Xmx512m -XX:+UseG1GC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Dsluice.harness.jvm-opts=late';
  process.env.SLUICE_KAFKA_JVM_OPTS = opts;
  const svc = await timedStart(t, 'kafka').finally(() => {
    if (before === undefined) delete process.env.SLUICE_KAFKA_JVM_OPTS;
    else process.env.SLUICE_KAFKA_JVM_OPTS = before;
  });
  const brokers = envOf(svc, 'SLUICE_TEST_KAFKA_BROKERS');
  try {
    const cmd = kafkaBrokerCommandLine(envOf(svc, 'SLUICE_TEST_KAFKA_LOG_DIR'));
    for (const o of opts.split(' ')) assert.ok(cmd.includes(o), `broker command line lacks ${o}: ${cmd.join(' ')}`);
    const [host = '', portStr = ''] = brokers.split(':');
    const port = Number(portStr);
    await new Promise<void>((ok, fail) => {
      const s = netConnect({ host, port }, () => { s.destroy(); ok(); });
      s.once('error', fail);
    });
    assert.deepEqual(await kafkaMetadataBrokers(host, port), [{ nodeId: 1, host, port }]);
  } finally {
    await svc.stop();
  }
});
