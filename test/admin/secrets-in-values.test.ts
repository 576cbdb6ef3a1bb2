// Secrets inside ordinary values — URL userinfo passwords, sensitive query parameters, sensitive
// request headers, the source broker's password — on every surface: API reads (v1 and RobustMQ),
// writing the masked form back, CLI output, log lines, status last_error, metrics and dead letters.
// A real `sluice serve` process (embedded broker) posts to a real webhook that refuses with 400.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { maskText, maskUrl } from '../../src/metadata/secret-masking.js';
import { SqliteDefinitionStore } from '../../src/metadata/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { Api, startWebhook, waitFor, type WebhookServer } from '../helpers/runtime.js';
import { startSluiceProcess, type SluiceProcess } from '../helpers/sluice-process.js';
import { freePort } from '../helpers/server.js';

const R = randomBytes(4).toString('hex');
const S = {
  urlPw: `URLPW${R}`,
  query: `QTOKEN${R}`,
  auth: `HDRAUTH${R}`,
  apiKey: `HDRKEY${R}`,
  custom: `HDRTOK${R}`,
  cookie: `HDRCOOKIE${R}`,
  chPw: `CHPW${R}`,
  influxPw: `INFLUXPW${R}`,
  mqttPw: `MQTTPW${R}`,
  sig: `SIG${R}`,
};
const ALL = Object.values(S);

let dir: string;
let sluice: SluiceProcess;
let api: Api;
let hook: WebhookServer;
let hookUrl: string;
let brokerPort: number;

function assertClean(text: string, where: string): void {
  for (const v of ALL) assert.ok(!text.includes(v), `${where} leaks ${v}: ${text.slice(0, 400)}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-secret-values-'));
  hook = await startWebhook(() => 400);
  hookUrl = `http://hookuser:${S.urlPw}@127.0.0.1:${hook.port}/hook?token=${S.query}&x=1`;
  brokerPort = await freePort();
  sluice = await startSluiceProcess({ SLUICE_DB: join(dir, 'sluice.db'), SLUICE_EMBEDDED_BROKER_PORT: String(brokerPort), SLUICE_LOG_LEVEL: 'info' }, 90_000);
  api = new Api(sluice.url);
  await api.create({
    name: 'hook',
    type: 'webhook',
    topic_filter: 'sv/#',
    failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 1, wait_time_ms: 10, topic_name: 'sluice/dlq/sv' },
    config: { url: hookUrl, headers: { Authorization: `Bearer ${S.auth}`, 'X-Api-Key': S.apiKey, 'X-Session-Token': S.custom, Cookie: `sid=${S.cookie}`, 'X-Source': 'sluice' } },
  });
  await api.create({ name: 'ch', type: 'clickhouse', topic_filter: 'none/ch', desired_state: 'paused', config: { url: `http://chuser:${S.chPw}@127.0.0.1:9/?signature=${S.sig}`, database: 'd', table: 't' } });
  await api.create({ name: 'influx', type: 'influxdb', topic_filter: 'none/in', desired_state: 'paused', config: { server: `http://iu:${S.influxPw}@127.0.0.1:9`, measurement: 'm', org: 'o', bucket: 'b' } });
  await api.create({ name: 'bridge', type: 'mqtt', topic_filter: 'none/mq', desired_state: 'paused', config: { server: `mqtt://mu:${S.mqttPw}@127.0.0.1:9` } });
});

after(async () => {
  await sluice?.kill('SIGTERM');
  await hook?.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

describe('secrets inside values', () => {
  test('maskUrl: userinfo password and sensitive query values, the rest byte for byte', () => {
    assert.equal(maskUrl('https://u:p%40ss@h.example:8443/a/b?token=t&x=1&API_KEY=k&sig=&keep=token#f'), 'https://u:******@h.example:8443/a/b?token=******&x=1&API_KEY=******&sig=&keep=token#f');
    assert.equal(maskUrl('http://h/?access_token=a&apikey=b&key=c&password=d&secret=e&signature=f&sig=g'), 'http://h/?access_token=******&apikey=******&key=******&password=******&secret=******&signature=******&sig=******');
    assert.equal(maskUrl('mqtt://onlyuser@h:1883'), 'mqtt://onlyuser@h:1883');
    assert.equal(maskText('POST http://a:b@h/x?token=1 failed'), 'POST http://a:******@h/x?token=****** failed');
  });

  test('every API read masks them; the store holds the real values', async () => {
    const one = await api.ok<{ config: { url: string; headers: Record<string, string> } }>('GET', '/api/v1/connectors/hook');
    assert.equal(one.config.url, `http://hookuser:******@127.0.0.1:${hook.port}/hook?token=******&x=1`);
    assert.deepEqual(one.config.headers, { Authorization: '******', 'X-Api-Key': '******', 'X-Session-Token': '******', Cookie: '******', 'X-Source': 'sluice' });
    for (const path of ['/api/v1/connectors', '/api/v1/connectors/ch', '/api/v1/connectors/influx', '/api/v1/connectors/bridge']) assertClean((await api.request('GET', path)).text, `GET ${path}`);
    const rq = await api.request('GET', '/api/cluster/connector/list');
    assert.equal(rq.status, 200);
    assertClean(rq.text, 'RobustMQ list');
    assert.match(rq.text, /chuser:\*{6}@/);
    const store = new SqliteDefinitionStore(join(dir, 'sluice.db'));
    try {
      const d = await store.get('default', 'hook');
      assert.equal(d?.config.url, hookUrl);
      assert.equal((d?.config.headers as Record<string, string>)['X-Api-Key'], S.apiKey);
    } finally {
      await store.close();
    }
  });

  test('PUT of the masked read keeps the stored values; a masked value with nothing stored is refused', async () => {
    const read = await api.ok<Record<string, unknown>>('GET', '/api/v1/connectors/ch');
    const put = await api.request('PUT', '/api/v1/connectors/ch', { type: read.type, topic_filter: read.topic_filter, desired_state: 'paused', config: read.config, failure_strategy: read.failure_strategy, delivery: read.delivery });
    assert.equal(put.status, 200, put.text);
    assertClean(put.text, 'PUT answer');
    const store = new SqliteDefinitionStore(join(dir, 'sluice.db'));
    try {
      assert.equal((await store.get('default', 'ch'))?.config.url, `http://chuser:${S.chPw}@127.0.0.1:9/?signature=${S.sig}`);
    } finally {
      await store.close();
    }
    const fresh = await api.request<{ error: string; fields: { path: string; rule: string }[] }>('POST', '/api/v1/connectors', { name: 'fresh', type: 'webhook', topic_filter: 'a', config: { url: 'http://u:******@127.0.0.1:9/h', headers: { 'X-Api-Key': '******' } } });
    assert.equal(fresh.status, 400, fresh.text);
    assert.deepEqual(fresh.body.fields.map((f) => f.path).sort(), ['config.headers.X-Api-Key', 'config.url']);
  });

  test('the CLI shows the masked form', async () => {
    const r = await runCli(['connector', 'get', 'hook', '--server', sluice.url, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hookuser:\*{6}@/);
    assertClean(r.stdout + r.stderr, 'CLI get');
    const list = await runCli(['connector', 'list', '--server', sluice.url]);
    assertClean(list.stdout + list.stderr, 'CLI list');
  });

  test('a refused batch: last_error, dead letters, metrics and the log mask the URL', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { protocolVersion: 4 });
    await client.publishAsync('sv/1', 'x', { qos: 1 });
    await client.endAsync();
    const s = await api.until('hook', 'one record dead-lettered', (st) => st.dead_lettered === 1, 60_000);
    assert.match(s.last_error ?? '', /POST http:\/\/127\.0\.0\.1:\d+\/hook answered HTTP 400/);
    assertClean(JSON.stringify(s), 'status');
    const dl = await api.request('GET', '/api/v1/connectors/hook/dead-letters');
    assert.match(dl.text, /answered HTTP 400/);
    assertClean(dl.text, 'dead letters');
    const cli = await runCli(['dlq', 'list', 'hook', '--server', sluice.url, '--json']);
    assertClean(cli.stdout + cli.stderr, 'CLI dlq list');
    assertClean(await api.metrics(), 'metrics');
    assertClean(sluice.output(), 'log');
    assert.match(sluice.output(), /webhook sink ready/, 'the log has the sink lines (info level)');
  });

  test('the source broker URL is logged without its password', async () => {
    const other = mkdtempSync(join(tmpdir(), 'sluice-secret-values-src-'));
    const second = await startSluiceProcess({ SLUICE_DB: join(other, 'sluice.db'), SLUICE_LOG_LEVEL: 'info', SLUICE_MQTT_URL: `mqtt://srcuser:${S.mqttPw}@127.0.0.1:${brokerPort}`, SLUICE_MQTT_PROTOCOL: '4' }, 90_000);
    try {
      await new Api(second.url).ok('GET', '/health');
      // the start-up line is written once the API listens: /health may answer a moment before it is out
      await waitFor('the start-up line', () => (/Sluice admin API listening/.test(second.output()) ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
      assert.match(second.output(), /"broker":"mqtt:\/\/srcuser:\*{6}@127\.0\.0\.1/);
      assertClean(second.output(), 'start-up log');
    } finally {
      await second.kill('SIGTERM');
      rmSync(other, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    }
  });
});
