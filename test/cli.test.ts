// The `sluice` CLI as a child process against a real admin server (temp DB, OS-chosen port).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { freePort, startTestServer, type TestServer } from './helpers/server.js';

const SECRET = 'pa55-SECRET-value';

interface View {
  name: string;
  tenant: string;
  topic_filter: string;
  revision: number;
  config: Record<string, unknown>;
  failure_strategy: Record<string, unknown>;
  desired_state: string;
}

describe('sluice CLI against a real server', () => {
  let server: TestServer;
  const cli = (...args: string[]) => runCli([...args, '--server', server.url]);

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.cleanup();
  });

  async function view(name: string): Promise<View> {
    const r = await cli('connector', 'get', name, '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as View;
  }

  test('create from a JSON file; get shows ****** and never the secret', async () => {
    const file = join(server.dir, 'hook.json');
    const body = { name: 'json-hook', type: 'webhook', topic_filter: 'sensors/#', config: { url: 'https://example.com/h', auth_type: 'basic', username: 'u', password: SECRET } };
    writeFileSync(file, JSON.stringify(body));
    const r = await cli('connector', 'create', '-f', file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created connector default\/json-hook/);

    const stored = await server.request<View>('GET', '/api/v1/connectors/json-hook');
    assert.equal(stored.status, 200);
    assert.equal(stored.body.topic_filter, 'sensors/#');

    const human = await cli('connector', 'get', 'json-hook');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /password: "?\*{6}"?/);
    assert.match(human.stdout, /topic_filter: sensors\/#/);
    const json = await cli('connector', 'get', 'json-hook', '--json');
    assert.equal((JSON.parse(json.stdout) as View).config.password, '******');
    for (const out of [r, human, json]) assert.ok(!`${out.stdout}${out.stderr}`.includes(SECRET), 'the secret was printed');
  });

  test('create from a YAML file; flags beside -f override the file', async () => {
    const file = join(server.dir, 'hook.yaml');
    writeFileSync(file, ['name: yaml-hook', 'type: webhook', 'topic_filter: from/file/#', 'config:', '  url: https://example.com/y', '  timeout_ms: 700', 'failure_strategy:', '  strategy: discard_after_retry', ''].join('\n'));
    const r = await cli('connector', 'create', '-f', file, '--topic', 'from/flag/+', '--retries', '7', '--paused');
    assert.equal(r.code, 0, r.stderr);
    const v = await view('yaml-hook');
    assert.equal(v.topic_filter, 'from/flag/+');
    assert.equal(v.config.timeout_ms, 700);
    assert.equal(v.failure_strategy.strategy, 'discard_after_retry');
    assert.equal(v.failure_strategy.retry_total_times, 7);
    assert.equal(v.desired_state, 'paused');
  });

  test('create from flags, then list as a table and as JSON', async () => {
    const created = await cli('connector', 'create', '--name', 'flag-hook', '--type', 'webhook', '--topic', 'a/b', '--config', '{"url":"https://example.com/f"}', '--strategy', 'dead_message_queue', '--dlq-topic', 'dlq/flag');
    assert.equal(created.code, 0, created.stderr);

    const table = await cli('connector', 'list');
    assert.equal(table.code, 0, table.stderr);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    assert.deepEqual(header?.split(/\s+/), ['TENANT', 'NAME', 'TYPE', 'TOPIC', 'STATE', 'DESIRED', 'REVISION', 'UPDATED']);
    const row = rows.find((l) => l.split(/\s+/)[1] === 'flag-hook');
    assert.ok(row, table.stdout);
    const cells = row.split(/\s+/);
    assert.deepEqual([...cells.slice(0, 4), ...cells.slice(5, 7)], ['default', 'flag-hook', 'webhook', 'a/b', 'running', '1']);
    assert.match(cells[4] ?? '', /^(idle|running|waiting|error)$/, 'the live state, whatever the unreachable target makes of it');

    const filtered = await cli('connector', 'list', '--name', 'flag', '--json');
    assert.equal(filtered.code, 0, filtered.stderr);
    const page = JSON.parse(filtered.stdout) as { items: View[]; total: number };
    assert.deepEqual(page.items.map((c) => c.name), ['flag-hook']);
    assert.equal(page.total, 1);

    const all = JSON.parse((await cli('connector', 'list', '--json', '--limit', '1')).stdout) as { items: View[]; total: number; limit: number };
    assert.equal(all.items.length, 1);
    assert.equal(all.limit, 1);
    assert.ok(all.total >= 3);
  });

  test('update with flags sends a PATCH: config merges, revision goes up, the secret stays', async () => {
    const body = { name: 'patch-hook', type: 'webhook', topic_filter: 'p/#', config: { url: 'https://example.com/p', auth_type: 'bearer', bearer_token: SECRET } };
    assert.equal((await server.request('POST', '/api/v1/connectors', body)).status, 201);
    const before = await view('patch-hook');
    const r = await cli('connector', 'update', 'patch-hook', '--config', '{"timeout_ms":1234}', '--description', 'changed', '--revision', String(before.revision));
    assert.equal(r.code, 0, r.stderr);
    const after = await view('patch-hook');
    assert.equal(after.revision, before.revision + 1);
    assert.equal(after.config.timeout_ms, 1234);
    assert.equal(after.config.url, 'https://example.com/p');
    assert.equal(after.config.bearer_token, '******');

    const stale = await cli('connector', 'update', 'patch-hook', '--description', 'again', '--revision', String(before.revision));
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /^error: .*revision/m);
  });

  test('update -f sends a PUT; a `get --json` file can be sent back', async () => {
    const current = await view('flag-hook');
    const file = join(server.dir, 'flag-hook.json');
    writeFileSync(file, JSON.stringify({ ...current, topic_filter: 'replaced/#' }));
    const r = await cli('connector', 'update', 'flag-hook', '-f', file);
    assert.equal(r.code, 0, r.stderr);
    const v = await view('flag-hook');
    assert.equal(v.topic_filter, 'replaced/#');
    assert.equal(v.revision, current.revision + 1);
  });

  test('delete removes the connector; a second delete fails with the server message', async () => {
    assert.equal((await server.request('POST', '/api/v1/connectors', { name: 'doomed', type: 'webhook', topic_filter: 'd', config: { url: 'https://example.com/d' } })).status, 201);
    const r = await cli('connector', 'delete', 'doomed');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await server.request('GET', '/api/v1/connectors/doomed')).status, 404);
    const again = await cli('connector', 'delete', 'doomed');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: connector default\/doomed does not exist$/m);
  });

  test('a refused create exits 1 and prints the server message and each field', async () => {
    const bad = await cli('connector', 'create', '--name', 'bad', '--type', 'webhook', '--topic', 'a/#/b', '--config', '{"url":"ftp://nope"}');
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, '');
    const lines = bad.stderr.trimEnd().split('\n');
    assert.equal(lines[0], 'error: 2 problems in the request:');
    assert.equal(lines.length, 3, bad.stderr);
    assert.ok(lines.some((l) => /^\s+topic_filter: /.test(l)), bad.stderr);
    assert.ok(lines.some((l) => /^\s+config\.url: /.test(l)), bad.stderr);

    const unknown = await cli('connector', 'create', '--name', 'bad', '--type', 'nosuchtype', '--topic', 'a');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: type: unknown connector type "nosuchtype"/m);
    assert.equal((await server.request('GET', '/api/v1/connectors/bad')).status, 404);
  });

  test('usage errors exit 2 and never echo a config value', async () => {
    const badJson = await cli('connector', 'create', '--name', 'x', '--type', 'webhook', '--topic', 'a', '--config', `{"password":"${SECRET}"`);
    assert.equal(badJson.code, 2);
    assert.match(badJson.stderr, /^error: --config: not valid JSON/m);
    assert.ok(!badJson.stderr.includes(SECRET));
    const badLimit = await cli('connector', 'list', '--limit', 'lots');
    assert.equal(badLimit.code, 2);
    const missing = await cli('connector', 'create', '--name', 'x');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--type, --topic/);
  });

  test('types lists every type and `types <type>` shows each schema field', async () => {
    const types = await server.request<{ items: { name: string; secret_fields: string[] }[] }>('GET', '/api/v1/connector-types');
    const table = await cli('types');
    assert.equal(table.code, 0, table.stderr);
    for (const t of types.body.items) {
      const row = table.stdout.split('\n').find((l) => l.startsWith(`${t.name} `));
      assert.ok(row, `no row for ${t.name}`);
      for (const s of t.secret_fields) assert.ok(row.includes(s), `${t.name} row lacks secret field ${s}`);
    }

    const schema = (await server.request<{ schema: { properties: Record<string, { default?: unknown }>; required?: string[] } }>('GET', '/api/v1/connector-types/webhook')).body.schema;
    const detail = await cli('types', 'webhook');
    assert.equal(detail.code, 0, detail.stderr);
    const fieldLines = detail.stdout.split('\n');
    for (const [field, s] of Object.entries(schema.properties)) {
      const line = fieldLines.find((l) => l.startsWith(`${field} `));
      assert.ok(line, `no line for ${field}`);
      const mustGive = (schema.required ?? []).includes(field) && s.default === undefined;
      assert.match(line, new RegExp(`\\s${mustGive ? 'yes' : 'no'}\\s+(yes|no)\\s`), `${field}: required should be ${mustGive}`);
    }
    assert.match(fieldLines.find((l) => l.startsWith('bearer_token ')) ?? '', /\sno\s+yes\s/);

    const unknown = await cli('types', 'nosuchtype');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: .*nosuchtype/m);
  });
});

test('an unreachable server exits 3', async () => {
  const port = await freePort();
  const r = await runCli(['connector', 'list', '--server', `http://127.0.0.1:${port}`]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, new RegExp(`^error: cannot reach the Sluice server at http://127.0.0.1:${port}`, 'm'));
});

test('bearer token: refused without it (exit 1, 401 message), accepted with --token or SLUICE_TOKEN, never echoed', async () => {
  const token = 'tok-9f8e7d6c5b4a';
  const server = await startTestServer({ apiToken: token });
  try {
    const none = await runCli(['connector', 'list', '--server', server.url]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: missing Authorization: Bearer/m);

    const wrong = await runCli(['connector', 'list', '--server', server.url, '--token', 'not-the-token']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error: bearer token is not valid/m);
    assert.ok(!wrong.stderr.includes('not-the-token'));

    const withFlag = await runCli(['connector', 'list', '--server', server.url, '--token', token, '--json']);
    assert.equal(withFlag.code, 0, withFlag.stderr);
    assert.equal((JSON.parse(withFlag.stdout) as { total: number }).total, 0);

    const withEnv = await runCli(['connector', 'create', '--name', 'e', '--type', 'webhook', '--topic', 't', '--config', '{"url":"https://example.com/e"}'], { env: { SLUICE_URL: server.url, SLUICE_TOKEN: token } });
    assert.equal(withEnv.code, 0, withEnv.stderr);
    assert.equal((await server.request('GET', '/api/v1/connectors/e')).status, 200);
    for (const r of [none, wrong, withFlag, withEnv]) assert.ok(!`${r.stdout}${r.stderr}`.includes(token), 'the token was printed');
  } finally {
    await server.cleanup();
  }
});
