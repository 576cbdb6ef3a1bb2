// Connectors as files: `sluice apply` / `sluice export` as child processes against a real server,
// and `sluice serve --connectors` applying a directory at start and again on SIGHUP.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from './helpers/cli.js';
import { sleep } from './helpers/runtime.js';
import { startSluiceProcess } from './helpers/sluice-process.js';
import { startTestServer, tempDir, type TestServer } from './helpers/server.js';

const SECRET = 'hook-SECRET-7f3a';

interface View {
  tenant: string;
  name: string;
  revision: number;
  topic_filter: string;
  config: Record<string, unknown>;
  failure_strategy: Record<string, unknown>;
  description: string;
}

function storedConfig(dbPath: string, name: string): Record<string, unknown> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT config FROM connectors WHERE tenant = ? AND name = ?').get('default', name) as { config: string } | undefined;
    assert.ok(row, `${name} is not stored`);
    return JSON.parse(row.config) as Record<string, unknown>;
  } finally {
    db.close();
  }
}

const FILE_DEFS = (dir: string) =>
  [
    'name: files-a',
    'type: file',
    'topic_filter: files/a/#',
    'config:',
    `  local_file_path: ${join(dir, 'a.jsonl')}`,
    '---',
    'name: files-hook',
    'type: webhook',
    'topic_filter: files/hook/#',
    'config:',
    '  url: http://127.0.0.1:9/hook',
    '  auth_type: bearer',
    `  bearer_token: ${SECRET}`,
    'failure_strategy:',
    '  strategy: discard_after_retry',
    '  retry_total_times: 5',
    '',
  ].join('\n');

describe('sluice apply and export against a real server', () => {
  let server: TestServer;
  let defs: string;
  const cli = (...args: string[]) => runCli([...args, '--server', server.url]);
  const view = async (name: string) => (await server.request<View>('GET', `/api/v1/connectors/${name}`)).body;

  before(async () => {
    server = await startTestServer();
    defs = join(server.dir, 'defs');
    mkdirSync(defs);
    writeFileSync(join(defs, 'two.yaml'), FILE_DEFS(server.dir));
    writeFileSync(join(defs, 'one.json'), JSON.stringify({ name: 'files-b', type: 'file', topic_filter: 'files/b', config: { local_file_path: join(server.dir, 'b.jsonl') }, description: 'from json' }));
    writeFileSync(join(defs, 'README.txt'), 'not a definition');
  });
  after(async () => {
    await server?.cleanup();
  });

  test('dry run prints the plan and changes nothing; apply creates; a second apply changes nothing', async () => {
    const dry = await cli('apply', '-f', defs, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(
      dry.stdout,
      [`would create default/files-b  [${join(defs, 'one.json')}]`, `would create default/files-a  [${join(defs, 'two.yaml')}#1]`, `would create default/files-hook  [${join(defs, 'two.yaml')}#2]`, 'apply: 3 to create, 0 to update, 0 unchanged, 0 to delete; dry run, nothing changed', ''].join('\n'),
    );
    assert.equal((await server.request('GET', '/api/v1/connectors/files-a')).status, 404);

    const first = await cli('apply', '-f', defs);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^apply: 3 to create, 0 to update, 0 unchanged, 0 to delete$/m);
    assert.equal((await view('files-hook')).failure_strategy.retry_total_times, 5);
    assert.equal(storedConfig(server.dbPath, 'files-hook').bearer_token, SECRET);
    assert.ok(!`${first.stdout}${first.stderr}`.includes(SECRET));

    const again = await cli('apply', '-f', defs);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^apply: 0 to create, 0 to update, 3 unchanged, 0 to delete$/m);
    assert.equal((await view('files-a')).revision, 1);
  });

  test('an edited file updates just that connector, naming the changed paths; an API change is set back', async () => {
    writeFileSync(join(defs, 'two.yaml'), FILE_DEFS(server.dir).replace('retry_total_times: 5', 'retry_total_times: 6'));
    assert.equal((await server.request('PATCH', '/api/v1/connectors/files-b', { description: 'changed through the API' })).status, 200);
    const r = await cli('apply', '-f', defs);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^updated default\/files-b \(description\)/m);
    assert.match(r.stdout, /^updated default\/files-hook \(failure_strategy\.retry_total_times\)/m);
    assert.match(r.stdout, /^unchanged default\/files-a/m);
    assert.equal((await view('files-b')).description, 'from json');
    assert.equal((await view('files-hook')).failure_strategy.retry_total_times, 6);
    assert.equal(storedConfig(server.dbPath, 'files-hook').bearer_token, SECRET, 'the secret stays');
  });

  test('--prune deletes connectors the files do not define; --json reports each item', async () => {
    assert.equal((await server.request('POST', '/api/v1/connectors', { name: 'stray', type: 'file', topic_filter: 's', config: { local_file_path: join(server.dir, 's.jsonl') } })).status, 201);
    const dry = await cli('apply', '-f', defs, '--prune', '--dry-run', '--json');
    assert.equal(dry.code, 0, dry.stderr);
    const planned = JSON.parse(dry.stdout) as { items: { action: string; name: string }[] };
    assert.deepEqual(planned.items.filter((i) => i.action === 'delete').map((i) => i.name), ['stray']);
    const r = await cli('apply', '-f', defs, '--prune');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^deleted default\/stray$/m);
    assert.equal((await server.request('GET', '/api/v1/connectors/stray')).status, 404);
  });

  test('bad files: a connector defined twice, a YAML error with its position, a refused definition', async () => {
    const dup = join(server.dir, 'dup');
    mkdirSync(dup);
    writeFileSync(join(dup, 'a.yaml'), 'name: same\ntype: file\ntopic_filter: a\nconfig: {}\n');
    writeFileSync(join(dup, 'b.yaml'), 'name: same\ntype: file\ntopic_filter: b\nconfig: {}\n');
    const twice = await cli('apply', '-f', dup);
    assert.equal(twice.code, 2);
    assert.equal(twice.stderr, `error: connector default/same is defined twice: in ${join(dup, 'a.yaml')} and in ${join(dup, 'b.yaml')}\n`);

    const broken = join(server.dir, 'broken.yaml');
    writeFileSync(broken, 'name: x\ntype: file\nname: y\n');
    const yaml = await cli('apply', '-f', broken);
    assert.equal(yaml.code, 2);
    assert.equal(yaml.stderr, `error: ${broken}: not valid YAML at line 3, column 1 (DUPLICATE_KEY)\n`);

    const refused = join(server.dir, 'refused.yaml');
    writeFileSync(refused, 'name: refused\ntype: file\ntopic_filter: a/#/b\nconfig:\n  local_file_path: /tmp/r.jsonl\n  rotation: daily\n');
    const r = await cli('apply', '-f', refused);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `error: 2 problems in the request: (create default/refused from ${refused})\n  topic_filter: # must be a whole level and the last one\n  config.rotation: is not a known field; did you mean "rotation_strategy"?\n`);
  });

  test('export → apply: nothing changes and secrets stay; export → delete all → apply refuses ****** until the secret is given', async () => {
    const out = join(server.dir, 'exported');
    const ex = await cli('export', '--dir', out);
    assert.equal(ex.code, 0, ex.stderr);
    assert.equal(ex.stdout, `exported 3 connectors to ${out}\n`);
    assert.deepEqual(readdirSync(out).sort(), ['default.files-a.yaml', 'default.files-b.yaml', 'default.files-hook.yaml']);
    const hookFile = readFileSync(join(out, 'default.files-hook.yaml'), 'utf8');
    assert.match(hookFile, /bearer_token: "\*{6}"/);
    assert.ok(!hookFile.includes(SECRET));
    const stream = await cli('export');
    assert.equal(stream.code, 0, stream.stderr);
    assert.equal(stream.stdout.match(/^---$/gm)?.length, 3);
    assert.ok(!stream.stdout.includes(SECRET));

    const same = await cli('apply', '-f', out);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /^apply: 0 to create, 0 to update, 3 unchanged, 0 to delete$/m);
    assert.equal(storedConfig(server.dbPath, 'files-hook').bearer_token, SECRET);

    const before = new Map<string, View>();
    for (const n of ['files-a', 'files-b', 'files-hook']) {
      before.set(n, await view(n));
      assert.equal((await server.request('DELETE', `/api/v1/connectors/${n}`)).status, 204);
    }
    const masked = await cli('apply', '-f', out);
    assert.equal(masked.code, 2);
    assert.match(masked.stderr, /default\.files-hook\.yaml: default\/files-hook config\.bearer_token is \*{6} but the connector does not exist yet/);
    assert.equal((await server.request('GET', '/api/v1/connectors/files-a')).status, 404, 'nothing was applied');

    writeFileSync(join(out, 'default.files-hook.yaml'), hookFile.replace('"******"', SECRET));
    const restored = await cli('apply', '-f', out);
    assert.equal(restored.code, 0, restored.stderr);
    for (const [n, b] of before) {
      const a = await view(n);
      const strip = (v: View) => ({ ...v, revision: 0, created_at: '', updated_at: '' });
      assert.deepEqual(strip(a), strip(b), `${n} differs after the round trip`);
    }
    assert.equal(storedConfig(server.dbPath, 'files-hook').bearer_token, SECRET);
  });
});

test('serve --connectors applies a directory at start and again on SIGHUP; files win over API changes', async () => {
  const dir = tempDir();
  const defs = join(dir, 'defs');
  mkdirSync(defs);
  writeFileSync(join(defs, 'a.yaml'), `name: hup-a\ntype: file\ntopic_filter: hup/a\nconfig:\n  local_file_path: ${join(dir, 'a.jsonl')}\n`);
  const sluice = await startSluiceProcess({ SLUICE_DB: join(dir, 'data', 'sluice.db'), SLUICE_EMBEDDED_BROKER_PORT: '0', SLUICE_CONNECTORS: defs, SLUICE_LOG_LEVEL: 'info' });
  try {
    const get = (name: string) => fetch(`${sluice.url}/api/v1/connectors/${name}`).then(async (r) => ({ status: r.status, body: (await r.json()) as View }));
    assert.equal((await get('hup-a')).status, 200, sluice.output());

    writeFileSync(join(defs, 'b.yaml'), `name: hup-b\ntype: file\ntopic_filter: hup/b\nconfig:\n  local_file_path: ${join(dir, 'b.jsonl')}\n`);
    await fetch(`${sluice.url}/api/v1/connectors/hup-a`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic_filter: 'changed/by/api' }) });
    sluice.child.kill('SIGHUP');
    const deadline = Date.now() + 20_000;
    while ((await get('hup-b')).status !== 200 && Date.now() < deadline) await sleep(200);
    assert.equal((await get('hup-b')).status, 200, sluice.output());
    const a = await get('hup-a');
    assert.equal(a.body.topic_filter, 'hup/a', 'the file won over the API change');
    assert.match(sluice.output(), /connector default\/hup-a set to its definition file \(it differed in topic_filter\)/);

    writeFileSync(join(defs, 'c.yaml'), 'name: [broken\n');
    sluice.child.kill('SIGHUP');
    const until = Date.now() + 20_000;
    while (!/connector files not applied/.test(sluice.output()) && Date.now() < until) await sleep(200);
    assert.match(sluice.output(), /connector files not applied: .*c\.yaml: not valid YAML at line \d+, column \d+/);
    assert.equal(sluice.child.exitCode, null, 'a bad file on SIGHUP does not stop the service');
  } finally {
    await sluice.kill('SIGTERM');
  }

  const refused = await runCli(['serve', '--port', '0', '--db', join(dir, 'data2', 's.db'), '--connectors', join(dir, 'nope')], { env: { SLUICE_EMBEDDED_BROKER_PORT: '0' } });
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `error: --connectors / SLUICE_CONNECTORS: ${join(dir, 'nope')}: cannot be read (ENOENT)\n`);
});
