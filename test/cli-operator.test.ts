// The CLI's operator aids as a child process against a real server: each problem printed once,
// "did you mean", positions in bad files, global options anywhere, create --wait, validate/probe,
// status --watch, and `serve` start-up errors that name the setting.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectorTypes } from '../src/metadata/registry.js';
import { runCli } from './helpers/cli.js';
import { startSluiceProcess } from './helpers/sluice-process.js';
import { freePort, startTestServer, tempDir, type TestServer } from './helpers/server.js';

describe('CLI operator aids against a real server', () => {
  let server: TestServer;
  const cli = (...args: string[]) => runCli([...args, '--server', server.url]);

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.cleanup();
  });

  test('a refusal with several fields prints each rule once, under one header', async () => {
    const r = await cli('connector', 'create', '--name', 'bad', '--type', 'webhook', '--topic', 'a/#/b', '--config', '{"url":"ftp://nope"}');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, ['error: 2 problems in the request:', '  topic_filter: # must be a whole level and the last one', '  config.url: expected an http:// or https:// URL', ''].join('\n'));
  });

  test('did you mean: a mistyped type, config field, definition field and subcommand', async () => {
    const type = await cli('connector', 'create', '--name', 'x', '--type', 'fiel', '--topic', 'a');
    assert.equal(type.code, 1);
    assert.equal(type.stderr, `error: type: unknown connector type "fiel"; known types: ${connectorTypes().map((t) => t.name).join(', ')}; did you mean "file"?\n`);

    const field = await cli('connector', 'create', '--name', 'x', '--type', 'file', '--topic', 'a', '--config', '{"local_file_path":"/tmp/x.jsonl","rotation":"daily"}');
    assert.equal(field.code, 1);
    assert.equal(field.stderr, 'error: config.rotation: is not a known field; did you mean "rotation_strategy"?\n');

    const file = join(server.dir, 'topic.yaml');
    writeFileSync(file, 'name: x\ntype: file\ntopic: a/b\nconfig:\n  local_file_path: /tmp/x.jsonl\n');
    const top = await cli('connector', 'create', '-f', file);
    assert.equal(top.code, 1);
    assert.equal(top.stderr, 'error: 2 problems in the request:\n  topic_filter: is required\n  topic: is not a known field; did you mean "topic_filter"?\n');

    const strategy = await cli('connector', 'create', '--name', 'x', '--type', 'file', '--topic', 'a', '--config', '{"local_file_path":"/tmp/x.jsonl"}', '--strategy', 'discard');
    assert.equal(strategy.code, 0, strategy.stderr);
    const patch = await cli('connector', 'update', 'x', '--config', '{"fsyncc":true}');
    assert.equal(patch.code, 1);
    assert.equal(patch.stderr, 'error: config.fsyncc: is not a known field; did you mean "fsync"?\n');

    const sub = await cli('connector', 'lst');
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /^error: unknown command 'lst'\n\(Did you mean list\?\)/);
  });

  test('YAML and JSON errors give line and column and never quote the text', async () => {
    const yaml = join(server.dir, 'broken.yaml');
    writeFileSync(yaml, 'name: y\ntype: webhook\nconfig:\n  url: https://example.com/secret-value\n  url: other\n');
    const y = await cli('connector', 'create', '-f', yaml);
    assert.equal(y.code, 2);
    assert.equal(y.stderr, `error: -f ${yaml}: not valid YAML at line 5, column 3 (DUPLICATE_KEY)\n`);
    assert.ok(!y.stderr.includes('secret-value'));

    const json = join(server.dir, 'broken.json');
    writeFileSync(json, '{\n  "name": "j",\n  "type": "webhook",\n}\n');
    const j = await cli('connector', 'create', '-f', json);
    assert.equal(j.code, 2);
    assert.equal(j.stderr, `error: -f ${json}: not valid JSON at line 4, column 1\n`);

    const flag = await cli('connector', 'validate', '--type', 'webhook', '--config', '{"url":');
    assert.equal(flag.code, 2);
    assert.equal(flag.stderr, 'error: --config: not valid JSON at line 1, column 8\n');
  });

  test('global options are taken before or after the subcommand; --output yaml', async () => {
    const before = await runCli(['--server', server.url, '--json', 'connector', 'list']);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(typeof (JSON.parse(before.stdout) as { total: number }).total, 'number');
    const between = await runCli(['connector', '--url', server.url, '-o', 'json', 'list']);
    assert.equal(between.code, 0, between.stderr);
    assert.deepEqual(JSON.parse(between.stdout), JSON.parse(before.stdout));
    const yaml = await runCli(['connector', 'list', '--output', 'yaml', '--server', server.url]);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^items:/m);
    assert.match(yaml.stdout, /^total: \d+$/m);
    const env = await runCli(['types', '--json'], { env: { SLUICE_URL: server.url } });
    assert.equal(env.code, 0, env.stderr);
    const bad = await runCli(['--output', 'xml', 'types']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /option '-o, --output <format>' argument 'xml' is invalid\. Allowed choices are text, json, yaml\./);
  });

  test('create --wait: exit 0 once running; exit 1 with the last error when it does not run', async () => {
    const ok = await cli('connector', 'create', '--name', 'w-ok', '--type', 'file', '--topic', 'w/ok', '--config', JSON.stringify({ local_file_path: join(server.dir, 'ok.jsonl') }), '--wait');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^connector default\/w-ok is running$/m);

    const blocker = join(server.dir, 'a-file');
    writeFileSync(blocker, '');
    const path = join(blocker, 'out.jsonl');
    const bad = await cli('connector', 'create', '--name', 'w-bad', '--type', 'file', '--topic', 'w/bad', '--config', JSON.stringify({ local_file_path: path }), '--wait', '--wait-timeout', '2');
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      `error: connector default/w-bad did not reach running within 2s (state waiting; last error: file sink: cannot create directory ${blocker}: ${blocker} is not a directory); it is stored: fix it with \`sluice connector update w-bad\` or remove it with \`sluice connector delete w-bad\`\n`,
    );
    const paused = await cli('connector', 'create', '--name', 'w-p', '--type', 'file', '--topic', 'w/p', '--config', '{}', '--wait', '--paused');
    assert.equal(paused.code, 2);
  });

  test('connector validate: config checked (defaults shown, secrets redacted); --probe reaches the target or exits 1', async () => {
    const r = await cli('connector', 'validate', '--type', 'webhook', '--config', JSON.stringify({ url: `${server.url}/health`, auth_type: 'bearer', bearer_token: 'tok-SECRET-1' }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^the webhook config is valid \(not probed/);
    assert.match(r.stdout, /^ {2}timeout_ms: 5000$/m);
    assert.ok(!r.stdout.includes('tok-SECRET-1'));

    const probed = await cli('connector', 'validate', '--type', 'webhook', '--config', JSON.stringify({ url: `${server.url}/health` }), '--probe');
    assert.equal(probed.code, 0, probed.stderr);
    assert.match(probed.stdout, /^the webhook config is valid and the target answered$/m);

    const port = await freePort();
    const down = await cli('connector', 'validate', '--type', 'webhook', '--config', JSON.stringify({ url: `http://127.0.0.1:${port}/x` }), '--probe');
    assert.equal(down.code, 1);
    assert.match(down.stderr, new RegExp(`^error: .*cannot reach 127\\.0\\.0\\.1:${port}`));

    const file = join(server.dir, 'validate.yaml');
    writeFileSync(file, 'name: v\ntype: webhook\ntopic_filter: a\nconfig:\n  url: https://example.com/v\n  methd: post\n');
    const typo = await cli('connector', 'validate', '-f', file);
    assert.equal(typo.code, 1);
    assert.equal(typo.stderr, 'error: config.methd: is not a known field; did you mean "method"?\n');
  });

  test('status --watch refreshes with rates per second; --count ends it', async () => {
    assert.equal((await cli('connector', 'create', '--name', 'watched', '--type', 'file', '--topic', 'watch/#', '--config', JSON.stringify({ local_file_path: join(server.dir, 'w.jsonl') }), '--wait')).code, 0);
    const r = await cli('connector', 'status', 'watched', '--watch', '--interval', '1', '--count', '2');
    assert.equal(r.code, 0, r.stderr);
    const frames = r.stdout.split('\n\n');
    assert.equal(frames.length, 2, r.stdout);
    assert.match(frames[0] ?? '', /^rates +received -, written -, discarded -, dead_lettered -, pending 0$/m);
    assert.match(frames[1] ?? '', /^rates +received \d+\.\d\/s, written \d+\.\d\/s, discarded \d+\.\d\/s, dead_lettered \d+\.\d\/s, pending \d+$/m);
    assert.match(frames[1] ?? '', /^state +running$/m);
    const json = await cli('connector', 'status', 'watched', '--watch', '--interval', '1', '--count', '2', '--json');
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.equal((JSON.parse(l) as { name: string }).name, 'watched');
  });
});

describe('serve start-up errors name the option or setting', () => {
  test('--port abc and SLUICE_PORT=70000 name the flag and the rule', async () => {
    const flag = await runCli(['serve', '--port', 'abc']);
    assert.equal(flag.code, 2);
    assert.equal(flag.stderr, "error: option '--port <port>' argument 'abc' is invalid. expected a port number 0–65535 (0 = any free port)\n");
    const env = await runCli(['serve'], { env: { SLUICE_PORT: '70000', SLUICE_DB: join(tempDir(), 's.db') } });
    assert.equal(env.code, 1);
    assert.equal(env.stderr, 'error: SLUICE_PORT: expected a port number 0–65535, got "70000"\n');
  });

  test('a port in use names SLUICE_PORT / --port, or SLUICE_EMBEDDED_BROKER_PORT', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const dir = tempDir();
      const api = await runCli(['serve', '--port', String(port), '--db', join(dir, 'a', 's.db')], { env: { SLUICE_EMBEDDED_BROKER_PORT: '0', SLUICE_LOG_LEVEL: 'warn' } });
      assert.equal(api.code, 1);
      assert.match(api.stderr, new RegExp(`^error: admin API: port ${port} on 127\\.0\\.0\\.1 is already in use \\(another Sluice or another program listens on 127\\.0\\.0\\.1:${port}\\); choose another port with SLUICE_PORT or --port\n$`, 'm'));
      const broker = await runCli(['serve', '--port', '0', '--db', join(dir, 'b', 's.db')], { env: { SLUICE_EMBEDDED_BROKER_PORT: String(port), SLUICE_LOG_LEVEL: 'warn' } });
      assert.equal(broker.code, 1);
      assert.match(broker.stderr, /choose another port with SLUICE_EMBEDDED_BROKER_PORT, or set SLUICE_MQTT_URL to use an external broker\n$/);
    } finally {
      taken.close();
    }
  });

  test('logs: JSON when not a terminal, readable lines with SLUICE_LOG_FORMAT=pretty', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'j'));
    const json = await startSluiceProcess({ SLUICE_DB: join(dir, 'j', 's.db'), SLUICE_EMBEDDED_BROKER_PORT: '0', SLUICE_LOG_LEVEL: 'info' });
    await json.kill('SIGTERM');
    const first = json.output().split('\n')[0] ?? '';
    assert.equal((JSON.parse(first) as { msg: string }).msg, 'runtime started');

    const pretty = await startSluiceProcess({ SLUICE_DB: join(dir, 'p', 's.db'), SLUICE_EMBEDDED_BROKER_PORT: '0', SLUICE_LOG_LEVEL: 'info', SLUICE_LOG_FORMAT: 'pretty' });
    await pretty.kill('SIGTERM');
    assert.match(pretty.output(), /^\d\d:\d\d:\d\d\.\d{3} INFO {2}runtime started {2}connectors=0$/m);
    assert.match(pretty.output(), /^\d\d:\d\d:\d\d\.\d{3} INFO {2}Sluice admin API listening on http:\/\/127\.0\.0\.1:\d+ {2}db=\S+ /m);
    assert.ok(!pretty.output().includes('{"level"'));
  });
});
