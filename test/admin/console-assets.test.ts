// The console's files are served (open even with a token), the vendored modules import each other
// by path, the whole console stays small, and the history route answers.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { consoleAssets } from '../../src/admin/console.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/runtime.js';

describe('console assets', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ apiToken: 's3cret' });
  });
  after(async () => srv?.cleanup());

  it('serves / and /console/* without a token, the API still needs one', async () => {
    const index = await srv.request('GET', '/', undefined, { token: undefined, headers: {} });
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(index.text, /\/console\/js\/app\.js/);
    const app = await fetch(`${srv.url}/console/js/app.js`);
    assert.equal(app.status, 200);
    assert.match(app.headers.get('content-type') ?? '', /javascript/);
    const hooks = await (await fetch(`${srv.url}/console/vendor/hooks.mjs`)).text();
    assert.match(hooks, /from"\.\/preact\.mjs"/);
    assert.doesNotMatch(hooks, /from\s*"preact"/);
    assert.equal((await fetch(`${srv.url}/console/js%2f..%2f..%2fpackage.json`)).status, 404);
    assert.equal((await fetch(`${srv.url}/console/nope.js`)).status, 404);
    assert.equal((await fetch(`${srv.url}/api/v1/connectors`)).status, 401);
  });

  it('the whole console is well under 300 kB gzipped', () => {
    let gz = 0;
    for (const [path, a] of consoleAssets()) if (path !== '/') gz += gzipSync(a.body).length;
    assert.ok(gz < 60_000, `console is ${gz} bytes gzipped`);
  });

  it('GET /api/v1/connectors/:name/history gives samples, 404 for an unknown connector', async () => {
    const created = await srv.request('POST', '/api/v1/connectors', { name: 'h', type: 'file', topic_filter: 'h/#', config: { local_file_path: `${srv.dir}/h.jsonl` } });
    assert.equal(created.status, 201, created.text);
    srv.running.manager.statusHistory.sample();
    const h = await waitFor('a sample', async () => {
      const r = await srv.request<{ interval_ms: number; samples: { received: number }[] }>('GET', '/api/v1/connectors/h/history');
      return r.status === 200 && r.body.samples.length > 0 ? r.body : undefined;
    });
    assert.equal(h.interval_ms, 5000);
    assert.equal(h.samples[0]?.received, 0);
    const later = await srv.request<{ samples: unknown[] }>('GET', `/api/v1/connectors/h/history?since=${Date.now() + 1000}`);
    assert.deepEqual(later.body.samples, []);
    assert.equal((await srv.request('GET', '/api/v1/connectors/nope/history')).status, 404);
    assert.equal((await srv.request('GET', '/api/v1/connectors/h/history?since=x')).status, 400);
  });
});
