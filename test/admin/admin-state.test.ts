// Admin state is never lost or misreported: PATCH and PUT change only what they name (no injected
// desired_state), racing changes all survive (50 of them: concurrency.test.ts), and both list
// surfaces and `sluice connector list` show the live state beside the desired one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/runtime.js';
import { freePort, startTestServer, type TestServer, webhookBody } from '../helpers/server.js';

interface View {
  name: string;
  desired_state: string;
  state: string | null;
  description: string;
  topic_filter: string;
  revision: number;
  config: { headers?: Record<string, string> };
  failure_strategy: { strategy: string };
}

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.cleanup());

const get = async (name: string) => (await s.request<View>('GET', `/api/v1/connectors/${name}`)).body;
const liveState = async (name: string) => (await s.request<{ state: string }>('GET', `/api/v1/connectors/${name}/status`)).body.state;

describe('admin state', () => {
  test('PATCH and PUT of a paused connector keep it paused', async () => {
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('held', { desired_state: 'paused' }))).status, 201);
    const patched = await s.request<View>('PATCH', '/api/v1/connectors/held', { description: 'renamed' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.desired_state, 'paused');
    await waitFor('the runtime applied the change', async () => (await liveState('held')) === 'paused' && (await get('held')).description === 'renamed');
    const put = await s.request<View>('PUT', '/api/v1/connectors/held', { type: 'webhook', topic_filter: 'sensors/#', config: { url: 'http://127.0.0.1:9/other' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.desired_state, 'paused', 'a PUT without desired_state keeps the stored one');
    // naming it still changes it
    const resumed = await s.request<View>('PATCH', '/api/v1/connectors/held', { desired_state: 'running' });
    assert.equal(resumed.body.desired_state, 'running');
    const paused = await s.request<View>('POST', '/api/v1/connectors/held/pause');
    assert.equal(paused.status, 200, paused.text);
    assert.equal((await get('held')).desired_state, 'paused');
    assert.equal((await get('held')).description, '', 'a PUT resets what it leaves out, desired_state aside');
  });

  test('pause, resume and PATCH racing: none lost', async () => {
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('racer'))).status, 201);
    const results = await Promise.all([
      s.request('POST', '/api/v1/connectors/racer/pause'),
      s.request('PATCH', '/api/v1/connectors/racer', { description: 'a' }),
      s.request('PATCH', '/api/v1/connectors/racer', { config: { headers: { 'X-A': '1' } } }),
    ]);
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
    const v = await get('racer');
    assert.deepEqual([v.desired_state, v.description, v.config.headers?.['X-A'], v.revision], ['paused', 'a', '1', 4]);
  });

  test('a stale revision given by the caller is still a 409', async () => {
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('strict'))).status, 201);
    assert.equal((await s.request('PATCH', '/api/v1/connectors/strict', { description: 'x' })).status, 200);
    const stale = await s.request('PATCH', '/api/v1/connectors/strict', { description: 'y', revision: 1 });
    assert.equal(stale.status, 409, stale.text);
    assert.equal((await get('strict')).description, 'x');
  });

  test('a Kafka connector on a closed port is listed in error (not running), with its desired state beside it', async () => {
    const port = await freePort();
    const created = await s.request('POST', '/api/v1/connectors', { name: 'kafka-down', type: 'kafka', topic_filter: 'k/#', config: { bootstrap_servers: `127.0.0.1:${port}`, topic: 't' } });
    assert.equal(created.status, 201, created.text);
    const notDelivering = (state: string | null | undefined) => state === 'error' || state === 'waiting';
    const item = await waitFor(
      'the v1 list shows the live state',
      async () => (await s.request<{ items: View[] }>('GET', '/api/v1/connectors?name=kafka-down')).body.items.find((i) => notDelivering(i.state)),
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    assert.equal(item.desired_state, 'running');
    const robust = await s.request<{ data: { data: { connector_name: string; status: string; state: string; desired_state: string }[] } }>('GET', '/api/cluster/connector/list?connector_name=kafka-down');
    const r = robust.body.data.data.find((x) => x.connector_name === 'kafka-down');
    assert.equal(r?.status, 'Error', robust.text);
    assert.ok(notDelivering(r?.state), robust.text);
    assert.equal(r?.desired_state, 'running');
    const cli = await runCli(['connector', 'list', '--name', 'kafka-down', '--server', s.url]);
    assert.equal(cli.code, 0, cli.stderr);
    const [header, row] = cli.stdout.trim().split('\n');
    assert.match(header ?? '', /\bSTATE\s+DESIRED\b/);
    assert.match(row ?? '', /\bkafka-down\b.*\b(error|waiting)\s+running\b/);
  });
});
