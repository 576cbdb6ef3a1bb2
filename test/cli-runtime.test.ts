// The CLI's runtime commands (status, pause/resume/restart, dlq) against a canned local HTTP server
// that records each request: the exact method, path, query, headers and body the CLI sends, and how
// it shows answers the real runtime rarely gives (accounting off, full journal, proxy errors).
// test/cli-live.test.ts runs the same commands against the real runtime.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type CannedServer, runCli, startCannedServer } from './helpers/cli.js';

const TOKEN = 'canned-token-123';

function status(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant: 'default', name: 'c1', state: 'running', received: 100, written: 90, discarded: { bad_payload: 3, permanent_error: 2 }, discarded_total: 5,
    dead_lettered: 3, pending: 2, retries: 4, last_success_at: Date.now() - 1500, oldest_pending_age_ms: 2500, last_error: null, journal_bytes: 2048, journal_full: false, ...over,
  };
}

const LETTER = { id: 7, connector_name: 'c1', source_topic: 'sensors/1', error_message: 'HTTP 400 from sink', retry_times: 3, payload: '{"t":21.5}', payload_encoding: 'utf8', original_timestamp: 1_700_000_000_000, dead_letter_timestamp: 1_700_000_005_000 };

describe('runtime commands send the right requests', () => {
  let canned: CannedServer;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { SLUICE_URL: canned.url, SLUICE_TOKEN: TOKEN, ...env } });
  const last = () => {
    const r = canned.requests.at(-1);
    assert.ok(r, 'no request reached the server');
    return r;
  };

  before(async () => {
    canned = await startCannedServer();
  });
  after(async () => {
    await canned?.close();
  });
  beforeEach(() => {
    canned.requests.length = 0;
  });

  test('status: GET …/status with tenant and token; shows the accounting line', async () => {
    canned.answer({ body: status() });
    const r = await cli(['connector', 'status', 'c1', '--tenant', 't1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(last().method, 'GET');
    assert.equal(last().url, '/api/v1/connectors/c1/status?tenant=t1');
    assert.equal(last().headers.authorization, `Bearer ${TOKEN}`);
    assert.match(r.stdout, /received 100 = written 90 \+ discarded 5 \+ dead_lettered 3 \+ pending 2$/m);
    assert.match(r.stdout, /bad_payload 3, permanent_error 2/);
    assert.match(r.stdout, /^state\s+running$/m);
    assert.ok(!r.stdout.includes(TOKEN));
  });

  test('status flags an accounting that does not add up, and a full journal', async () => {
    canned.answer({ body: status({ received: 101, journal_full: true, last_error: 'sink down' }) });
    const r = await cli(['connector', 'status', 'c1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(last().url, '/api/v1/connectors/c1/status?tenant=default');
    assert.match(r.stdout, /does not add up: the sum is 100/);
    assert.match(r.stdout, /FULL/);
    assert.match(r.stdout, /^last error\s+sink down$/m);
  });

  for (const action of ['pause', 'resume', 'restart']) {
    test(`${action}: POST …/${action} without a body; --json prints the answer`, async () => {
      const answer = status({ state: action === 'pause' ? 'paused' : 'running' });
      canned.answer({ body: answer });
      const r = await cli(['connector', action, 'my.conn', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(last().method, 'POST');
      assert.equal(last().url, `/api/v1/connectors/my.conn/${action}?tenant=default`);
      assert.equal(last().body, '');
      assert.equal(last().headers['content-type'], undefined);
      assert.deepEqual(JSON.parse(r.stdout), answer);
    });
  }

  test('dlq list: GET …/dead-letters with limit and page; a table of the letters', async () => {
    canned.answer({ body: { items: [LETTER, { ...LETTER, id: 8, payload: 'AAEC', payload_encoding: 'base64' }], total: 12 } });
    const r = await cli(['dlq', 'list', 'c1', '--limit', '2', '--page', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(last().method, 'GET');
    assert.equal(last().url, '/api/v1/connectors/c1/dead-letters?tenant=default&limit=2&page=3');
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID\s+SOURCE TOPIC\s+RETRIES/);
    assert.match(lines[1] ?? '', /^7\s+sensors\/1\s+3\s+2023-11-14T22:13:25\.000Z\s+10 B utf8\s+HTTP 400 from sink$/);
    assert.match(lines[2] ?? '', /^8\s.*3 B base64/);
    assert.match(r.stdout, /2 of 12 dead letters/);
  });

  test('dlq show: GET …/dead-letters/:id and prints the payload', async () => {
    canned.answer({ body: LETTER });
    const r = await cli(['dlq', 'show', 'c1', '7']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(last().url, '/api/v1/connectors/c1/dead-letters/7?tenant=default');
    assert.match(r.stdout, /^error\s+HTTP 400 from sink$/m);
    assert.match(r.stdout, /^\{"t":21\.5\}$/m);
    const bad = await cli(['dlq', 'show', 'c1', 'seven']);
    assert.equal(bad.code, 2);
  });

  test('dlq replay: POST …/replay with the ids given, or {} for all', async () => {
    canned.answer({ body: { replayed: 2 } });
    const some = await cli(['dlq', 'replay', 'c1', '--id', '4', '--id', '9']);
    assert.equal(some.code, 0, some.stderr);
    assert.equal(last().method, 'POST');
    assert.equal(last().url, '/api/v1/connectors/c1/dead-letters/replay?tenant=default');
    assert.deepEqual(JSON.parse(last().body), { ids: [4, 9] });
    assert.match(some.stdout, /replayed 2 dead letters/);
    const all = await cli(['dlq', 'replay', 'c1']);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(JSON.parse(last().body), {});
  });

  test('dlq purge: refused without --yes when stdin is not a TTY; DELETE with --yes', async () => {
    canned.answer({ body: { purged: 5 } });
    const refused = await cli(['dlq', 'purge', 'c1']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^error: .*--yes/m);
    assert.equal(canned.requests.length, 0, 'purge without --yes must not reach the server');

    const all = await cli(['dlq', 'purge', 'c1', '--yes']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(last().method, 'DELETE');
    assert.equal(last().url, '/api/v1/connectors/c1/dead-letters?tenant=default');
    assert.equal(last().body, '');
    assert.match(all.stdout, /purged 5 dead letters/);

    const some = await cli(['dlq', 'purge', 'c1', '--id', '3', '--yes', '--json']);
    assert.equal(some.code, 0, some.stderr);
    assert.deepEqual(JSON.parse(last().body), { ids: [3] });
    assert.deepEqual(JSON.parse(some.stdout), { purged: 5 });
  });

  test('a refusal prints the server message and its fields; a non-JSON answer is an error too', async () => {
    canned.answer({ status: 409, body: { code: 1011, error: 'NOT_RUNNING', message: 'connector default/c1 is not running', fields: [{ path: 'name', rule: 'is idle' }] } });
    const r = await cli(['connector', 'pause', 'c1']);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stderr.trimEnd().split('\n'), ['error: connector default/c1 is not running', '  name: is idle']);
    assert.equal(r.stdout, '');

    canned.answer({ status: 502, raw: '<html>bad gateway</html>' });
    const proxy = await cli(['dlq', 'list', 'c1']);
    assert.equal(proxy.code, 1);
    assert.match(proxy.stderr, /^error: GET \/api\/v1\/connectors\/c1\/dead-letters: the server answered 502/m);
  });
});
