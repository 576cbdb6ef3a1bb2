// A source broker that cannot be reached shows in the connector's status: not connected, the
// connection error as last_error, and when it happened.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, startTestServer } from '../helpers/server.js';
import { Api } from '../helpers/runtime.js';

test('an unreachable source broker: last_error names the refusal and carries its time', { timeout: 60_000 }, async (t) => {
  const port = await freePort(); // nothing listens there
  const server = await startTestServer({ mqttUrl: `mqtt://127.0.0.1:${port}` });
  t.after(() => server.cleanup());
  const api = new Api(server.url);
  const before = Date.now();
  await api.create({ name: 'nobroker', type: 'file', topic_filter: 'a/#', config: { local_file_path: join(server.dir, 'out.jsonl') } });
  const s = await api.until('nobroker', 'the connection error in the status', (x) => x.last_error !== null, 30_000);
  assert.equal(s.source_connected, false);
  assert.match(s.last_error ?? '', /ECONNREFUSED/);
  assert.ok(s.last_error_at !== null && s.last_error_at >= before && s.last_error_at <= Date.now(), `last_error_at ${String(s.last_error_at)}`);
});
