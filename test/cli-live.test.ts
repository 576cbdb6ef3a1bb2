// The CLI's runtime commands against the real runtime: a server with its embedded broker, a
// webhook connector whose endpoint refuses (400) and then accepts, one message published over MQTT.
// status → accounting line; dlq list/show; dlq replay writes it; pause/resume; dlq purge.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { runCli } from './helpers/cli.js';
import { Api, startWebhook, type WebhookServer } from './helpers/runtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('sluice CLI runtime commands against the real runtime', () => {
  let server: TestServer;
  let api: Api;
  let hook: WebhookServer & { refuse: boolean };
  const cli = (...args: string[]) => runCli([...args, '--server', server.url]);

  async function publish(topic: string, payload: string): Promise<void> {
    const c = await mqtt.connectAsync(server.running.brokerUrl, { clientId: `cli-live-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 0 });
    try {
      await c.publishAsync(topic, payload, { qos: 1 });
    } finally {
      await c.endAsync();
    }
  }

  before(async () => {
    server = await startTestServer();
    api = new Api(server.url);
    hook = Object.assign(await startWebhook(), { refuse: true });
    hook.respond = () => (hook.refuse ? 400 : 200);
    await api.create({
      name: 'live', type: 'webhook', topic_filter: 'live/#', config: { url: hook.url },
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 1, wait_time_ms: 10, topic_name: 'dlq/live' },
      delivery: { batch_size: 10, linger_ms: 5 },
    });
    await api.until('live', 'running', (s) => s.state === 'running' && s.source_connected);
  });
  after(async () => {
    await server?.cleanup();
    await hook?.close();
  });

  test('a refused message becomes a dead letter; status, dlq list and dlq show show it', { timeout: 60_000 }, async () => {
    await publish('live/room1', '{"t":21.5}');
    const s = await api.until('live', 'one dead letter', (x) => x.dead_lettered === 1 && x.pending === 0);

    const status = await cli('connector', 'status', 'live');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^accounting\\s+received ${s.received} = written ${s.written} \\+ discarded ${s.discarded_total} \\+ dead_lettered 1 \\+ pending 0$`, 'm'));
    assert.match(status.stdout, /^state\s+running$/m);

    const list = await cli('dlq', 'list', 'live');
    assert.equal(list.code, 0, list.stderr);
    const row = list.stdout.split('\n').find((l) => /^\d+\s+live\/room1\s/.test(l));
    assert.ok(row, list.stdout);
    assert.match(row, /HTTP 400/);
    const id = row.split(/\s+/)[0] ?? '';

    const show = await cli('dlq', 'show', 'live', id);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^source topic\s+live\/room1$/m);
    assert.match(show.stdout, /^\{"t":21\.5\}$/m);

    const missing = await cli('dlq', 'show', 'live', '999999');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: dead letter 999999 .*does not exist/m);
  });

  test('dlq replay sends it to the sink again once the endpoint accepts', { timeout: 60_000 }, async () => {
    hook.refuse = false;
    const r = await cli('dlq', 'replay', 'live', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { replayed: number }).replayed, 1);
    assert.ok(hook.written.some((rec) => rec.topic === 'live/room1'), 'the webhook never got the replayed record');
    const list = await cli('dlq', 'list', 'live', '--json');
    assert.equal((JSON.parse(list.stdout) as { total: number }).total, 0);
  });

  test('pause and resume change the state the server reports', { timeout: 60_000 }, async () => {
    const paused = await cli('connector', 'pause', 'live', '--json');
    assert.equal(paused.code, 0, paused.stderr);
    assert.equal((JSON.parse(paused.stdout) as { desired_state: string }).desired_state, 'paused');
    await api.until('live', 'paused', (s) => s.state === 'paused');
    const resumed = await cli('connector', 'resume', 'live');
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^desired state\s+running$/m);
    await api.until('live', 'running again', (s) => s.state === 'running');
  });

  test('dlq purge --yes deletes the dead letters', { timeout: 60_000 }, async () => {
    hook.refuse = true;
    const before = (await api.status('live')).dead_lettered;
    await publish('live/room2', 'x');
    await api.until('live', 'a second dead letter', (s) => s.dead_lettered === before + 1 && s.pending === 0);
    const refused = await cli('dlq', 'purge', 'live');
    assert.equal(refused.code, 2);
    const purged = await cli('dlq', 'purge', 'live', '--yes');
    assert.equal(purged.code, 0, purged.stderr);
    assert.match(purged.stdout, /^purged 1 dead letter of default\/live$/m);
    const list = await cli('dlq', 'list', 'live', '--json');
    assert.equal((JSON.parse(list.stdout) as { total: number }).total, 0);
  });
});
