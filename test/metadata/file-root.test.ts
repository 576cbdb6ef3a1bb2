// SLUICE_FILE_ROOT confines the file sink: a path outside is refused when written (field and
// rule named), a symlink under the root that leads out is refused when the sink opens.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/runtime.js';

let server: TestServer;
let root: string;
const outside = tempDir('sluice-outside-');

before(async () => {
  root = join(tempDir('sluice-root-'), 'out');
  mkdirSync(root);
  process.env.SLUICE_FILE_ROOT = root;
  server = await startTestServer();
});
after(async () => {
  delete process.env.SLUICE_FILE_ROOT;
  await server?.cleanup();
});

const body = (name: string, path: string) => ({ name, type: 'file', topic_filter: `root/${name}`, config: { local_file_path: path } });

test('a path outside SLUICE_FILE_ROOT, or relative, is refused naming the field and the rule', async () => {
  const r = await server.request<{ fields: { path: string; rule: string }[] }>('POST', '/api/v1/connectors', body('out', join(outside, 'x.jsonl')));
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.fields, [{ path: 'config.local_file_path', rule: `must be under SLUICE_FILE_ROOT (${root})` }]);
  const dotdot = await server.request<{ fields: { path: string; rule: string }[] }>('POST', '/api/v1/connectors', body('dotdot', join(root, '..', 'x.jsonl')));
  assert.deepEqual(dotdot.body.fields, [{ path: 'config.local_file_path', rule: `must be under SLUICE_FILE_ROOT (${root})` }]);
  const relative = await server.request<{ fields: { path: string; rule: string }[] }>('POST', '/api/v1/connectors', body('rel', 'x.jsonl'));
  assert.deepEqual(relative.body.fields, [{ path: 'config.local_file_path', rule: `must be an absolute path under SLUICE_FILE_ROOT (${root})` }]);
  const validate = await server.request<{ fields: { path: string }[] }>('POST', '/api/v1/connector-types/file/validate', { config: { local_file_path: '/etc/passwd' } });
  assert.equal(validate.status, 400);
  assert.equal(validate.body.fields[0]?.path, 'config.local_file_path');
});

test('under the root the connector runs; a symlink that leads out stops the sink with the reason', async () => {
  assert.equal((await server.request('POST', '/api/v1/connectors', body('inside', join(root, 'sub', 'in.jsonl')))).status, 201);
  await waitFor('inside running', async () => (await server.request<{ state: string }>('GET', '/api/v1/connectors/inside/status')).body.state === 'running');

  symlinkSync(outside, join(root, 'escape'));
  assert.equal((await server.request('POST', '/api/v1/connectors', body('escape', join(root, 'escape', 'x.jsonl')))).status, 201);
  const s = await waitFor('escape refused', async () => {
    const st = (await server.request<{ state: string; last_error: string | null }>('GET', '/api/v1/connectors/escape/status')).body;
    return st.last_error ? st : undefined;
  });
  assert.notEqual(s.state, 'running');
  assert.equal(s.last_error, `file sink: local_file_path ${join(root, 'escape', 'x.jsonl')} leads outside SLUICE_FILE_ROOT (${root}) through a symbolic link`);
});
