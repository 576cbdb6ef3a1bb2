// The /api/v1 surface over real HTTP against a started server (startService, port 0, temp DB).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectorView } from '../../src/admin/connector-view.js';
import { assertError, type ErrorBody, LOCAL_WEBHOOK_URL, startTestServer, type TestServer, webhookBody } from '../helpers/server.js';
import { NO_SUCH_TYPE, typeNames } from '../helpers/type-fixtures.js';

type View = ConnectorView;

/** The stored definition of a view: `state` is live and moves on its own. */
function definitionOf(v: View): Omit<View, 'state'> {
  const { state: _live, ...definition } = v;
  return definition;
}
interface ListBody {
  items: View[];
  total: number;
  page: number;
  limit: number;
}

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.cleanup());

describe('/api/v1/connectors', () => {
  test('the server listens on the port the OS chose', () => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(s.url).port, '0');
  });

  test('POST creates: 201, Location, the full view with defaults', async () => {
    const r = await s.request<View>('POST', '/api/v1/connectors', {
      name: 'create-1', type: 'Kafka', topic_filter: '$share/g/sensors/+/temp', description: 'd',
      config: { bootstrap_servers: 'kafka-1:9092,kafka-2.example.com:9093', topic: 'mqtt' },
      failure_strategy: { strategy: 'dead_message_queue', topic_name: 'dlq/create-1' },
      delivery: { batch_size: 50 },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('location'), '/api/v1/connectors/create-1?tenant=default');
    const v = r.body;
    assert.equal(v.tenant, 'default');
    assert.equal(v.type, 'kafka');
    assert.equal(v.revision, 1);
    assert.equal(v.desired_state, 'running');
    assert.equal(v.config.acks, 'all');
    assert.equal(v.config.client_id, 'sluice');
    assert.deepEqual(v.failure_strategy, { strategy: 'dead_message_queue', retry_total_times: 3, wait_time_ms: 1000, topic_name: 'dlq/create-1', backoff: 'fixed', max_wait_ms: 60_000 });
    assert.deepEqual(v.delivery, { batch_size: 50, linger_ms: 10, max_journal_bytes: 1_073_741_824, on_journal_full: 'backpressure', qos: 1 });
    const got = await s.request<View>('GET', '/api/v1/connectors/create-1');
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, v);
  });

  test('POST: a second connector of the same tenant and name is 409 CONFLICT; another tenant is fine', async () => {
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('dup'))).status, 201);
    const again = await s.request('POST', '/api/v1/connectors', webhookBody('dup', { description: 'second' }));
    assertError(again, 'CONFLICT');
    assert.match((again.body as ErrorBody).message, /default\/dup already exists/);
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('dup', { tenant: 'other' }))).status, 201);
    assert.equal((await s.request<View>('GET', '/api/v1/connectors/dup')).body.description, '');
    assert.equal((await s.request<View>('GET', '/api/v1/connectors/dup?tenant=other')).body.tenant, 'other');
  });

  test('POST: missing fields are 400 with each path and rule', async () => {
    assertError(await s.request('POST', '/api/v1/connectors', {}), 'VALIDATION_FAILED', [
      { path: 'name', rule: 'is required' },
      { path: 'type', rule: 'is required' },
      { path: 'config', rule: 'is required' },
      { path: 'topic_filter', rule: 'is required' },
    ]);
  });

  test('POST: config rules are 400 naming config.<field>', async () => {
    const r = await s.request('POST', '/api/v1/connectors', { name: 'bad-kafka', type: 'kafka', topic_filter: 'a/#', config: { bootstrap_servers: 'kafka-1', topic: 't' } });
    const body = assertError(r, 'VALIDATION_FAILED', [{ path: 'config.bootstrap_servers', rule: 'expected host:port[,host:port]' }]);
    assert.equal(body.message, 'config.bootstrap_servers: expected host:port[,host:port]');
    assertError(await s.request('POST', '/api/v1/connectors', { name: 'bad-ch', type: 'clickhouse', topic_filter: 'a', config: { url: 'http://ch:8123', database: 'd', table: 't', create_table: true, payload_format: 'json' } }), 'VALIDATION_FAILED', [
      { path: 'config.create_table', rule: "only works with payload_format raw (a json table's columns are yours to define)" },
    ]);
    assertError(await s.request('POST', '/api/v1/connectors', { name: 'bad-k2', type: 'kafka', topic_filter: 'a', config: { bootstrap_servers: 'k:9092', topic: 't', idempotent: true, acks: '1' } }), 'VALIDATION_FAILED', [
      { path: 'config.acks', rule: 'must be all (or -1) when idempotent is true' },
    ]);
  });

  test('POST: the failure strategy, topic, unknown fields and types are all reported at once', async () => {
    const r = await s.request('POST', '/api/v1/connectors', {
      name: 'bad-all', type: 'webhook', topic_filter: 'a/#/b', config: { url: 'http://x', auth_type: 'basic', color: 'red' },
      failure_strategy: { strategy: 'retry', retry_total_times: 0 },
    });
    assertError(r, 'VALIDATION_FAILED', [
      { path: 'topic_filter', rule: '# must be a whole level and the last one' },
      { path: 'failure_strategy.strategy', rule: 'must be one of: discard, discard_after_retry, dead_message_queue' },
      { path: 'failure_strategy.retry_total_times', rule: 'must be ≥ 1' },
      { path: 'config.color', rule: 'is not a known field' },
    ]);
    assertError(await s.request('POST', '/api/v1/connectors', { ...webhookBody('x'), colour: 1 }), 'VALIDATION_FAILED', [{ path: 'colour', rule: 'is not a known field' }]);
    // documented: an unknown type in a create body is one of the VALIDATION_FAILED fields
    assertError(await s.request('POST', '/api/v1/connectors', { ...webhookBody('x'), type: NO_SUCH_TYPE }), 'VALIDATION_FAILED', [
      { path: 'type', rule: `unknown connector type "${NO_SUCH_TYPE}"; known types: ${typeNames().join(', ')}` },
    ]);
    assertError(await s.request('POST', '/api/v1/connectors', { ...webhookBody('x'), failure_strategy: { strategy: 'nope' } }), 'VALIDATION_FAILED', [
      { path: 'failure_strategy.strategy', rule: 'must be one of: discard, discard_after_retry, dead_message_queue' },
    ]);
  });

  test('GET/PUT/PATCH/DELETE of an unknown connector is 404 NOT_FOUND', async () => {
    assertError(await s.request('GET', '/api/v1/connectors/ghost'), 'NOT_FOUND');
    assertError(await s.request('PUT', '/api/v1/connectors/ghost', webhookBody('ghost')), 'NOT_FOUND');
    assertError(await s.request('PATCH', '/api/v1/connectors/ghost', { description: 'x' }), 'NOT_FOUND');
    assertError(await s.request('DELETE', '/api/v1/connectors/ghost'), 'NOT_FOUND');
    const r = await s.request('GET', '/api/v1/connectors/ghost');
    assert.equal((r.body as ErrorBody).message, 'connector default/ghost does not exist');
    // the right name in the wrong tenant is not found either
    await s.request('POST', '/api/v1/connectors', webhookBody('tenanted', { tenant: 't9' }));
    assertError(await s.request('GET', '/api/v1/connectors/tenanted'), 'NOT_FOUND');
    assert.equal((await s.request('GET', '/api/v1/connectors/tenanted?tenant=t9')).status, 200);
  });

  test('unknown routes are 404, an undeclared method on a known path 405 with Allow, both with the error body', async () => {
    const r = await s.request('GET', '/api/v2/connectors');
    assertError(r, 'NOT_FOUND');
    assert.equal((r.body as ErrorBody).message, 'no route GET /api/v2/connectors');
    assertError(await s.request('POST', '/api/v1/connectors/x/y/z', {}), 'NOT_FOUND');
    const wrong = await s.request('DELETE', '/api/v1/connectors');
    assert.equal(assertError(wrong, 'METHOD_NOT_ALLOWED').message, 'DELETE is not allowed on /api/v1/connectors; allowed: GET, HEAD, POST');
    assert.equal(wrong.headers.get('allow'), 'GET, HEAD, POST');
    for (const method of ['OPTIONS', 'POST', 'PUT']) {
      const x = await s.request(method, '/api/v1/connectors/some-name/status');
      assertError(x, 'METHOD_NOT_ALLOWED');
      assert.equal(x.headers.get('allow'), 'GET, HEAD');
    }
    // fetch refuses TRACE: sent with node:http
    const trace = await new Promise<{ status: number; allow: string | undefined; body: ErrorBody }>((resolve, reject) => {
      const req = request(`${s.url}/api/v1/connectors`, { method: 'TRACE' }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body: JSON.parse(text) as ErrorBody }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(trace, { status: 405, allow: 'GET, HEAD, POST', body: { code: 1013, error: 'METHOD_NOT_ALLOWED', message: 'TRACE is not allowed on /api/v1/connectors; allowed: GET, HEAD, POST' } });
  });

  test('names of every valid length (up to 128) are routable on every route; longer segments are 414 with the error body', async () => {
    const name = 'n'.repeat(128);
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody(name, { desired_state: 'paused' }))).status, 201);
    const paths = ['', '/status', '/metrics', '/dead-letters', '/dead-letters/1'];
    for (const sub of paths) {
      const r = await s.request('GET', `/api/v1/connectors/${name}${sub}`);
      // reached the route: anything but 414, and a 404 only for the dead letter that does not exist
      const reached = r.status !== 414 && (r.status !== 404 || (r.body as ErrorBody).message.startsWith('dead letter 1 '));
      assert.ok(reached, `${sub}: ${r.status} ${r.text}`);
    }
    assert.equal((await s.request('PATCH', `/api/v1/connectors/${name}`, { description: 'long' })).status, 200);
    for (const action of ['pause', 'resume', 'restart']) assert.notEqual((await s.request('POST', `/api/v1/connectors/${name}/${action}`)).status, 414, action);
    // the same name with every character percent-encoded still routes
    const encoded = [...name].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    assert.equal((await s.request('GET', `/api/v1/connectors/${encoded}`)).status, 200);
    assert.equal((await s.request('DELETE', `/api/v1/connectors/${name}`)).status, 204);
    // 129 characters reach the validator: 400 naming the rule
    assertError(await s.request('GET', `/api/v1/connectors/${'n'.repeat(129)}`), 'VALIDATION_FAILED', [{ path: 'path.name', rule: 'must be at most 128 characters' }]);
    const tooLong = assertError(await s.request('GET', `/api/v1/connectors/${'n'.repeat(385)}`), 'URI_TOO_LONG');
    assert.equal(tooLong.message, 'a path segment is longer than 384 characters; names are at most 128');
    assertError(await s.request('GET', '/api/v1/connectors/%zz'), 'VALIDATION_FAILED', [{ path: 'path', rule: 'is not a valid percent-encoded URL path' }]);
  });

  test('a bad name in the URL is 400 naming path.name', async () => {
    assertError(await s.request('GET', `/api/v1/connectors/${encodeURIComponent('a b')}`), 'VALIDATION_FAILED', [{ path: 'path.name', rule: 'expected 1–128 of A-Z a-z 0-9 _ . -, not . or ..' }]);
  });

  describe('PUT replaces', () => {
    test('the whole definition: fields not given return to their defaults; revision +1; created_at kept', async () => {
      const created = (await s.request<View>('POST', '/api/v1/connectors', webhookBody('put-1', { description: 'old', config: { url: 'http://a', timeout_ms: 99, headers: { 'X-A': '1' } } }))).body;
      await sleep(5);
      const r = await s.request<View>('PUT', '/api/v1/connectors/put-1', { type: 'webhook', topic_filter: 'new/+', config: { url: 'http://b' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.revision, 2);
      assert.equal(r.body.created_at, created.created_at);
      assert.ok(r.body.updated_at > created.updated_at);
      assert.equal(r.body.topic_filter, 'new/+');
      assert.equal(r.body.description, '');
      assert.deepEqual(r.body.config, { url: 'http://b', method: 'post', headers: {}, timeout_ms: 5000, auth_type: 'none' });
      assert.deepEqual(definitionOf((await s.request<View>('GET', '/api/v1/connectors/put-1')).body), definitionOf(r.body));
    });

    test('may change the type', async () => {
      await s.request('POST', '/api/v1/connectors', webhookBody('put-type'));
      const r = await s.request<View>('PUT', '/api/v1/connectors/put-type', { type: 'file', topic_filter: 'a', config: { local_file_path: '/tmp/x' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.type, 'file');
    });

    test('a name (or tenant) in the body that differs from the URL is 400', async () => {
      await s.request('POST', '/api/v1/connectors', webhookBody('put-2'));
      assertError(await s.request('PUT', '/api/v1/connectors/put-2', webhookBody('other-name')), 'VALIDATION_FAILED', [{ path: 'name', rule: 'must match the URL (put-2); a connector cannot be renamed' }]);
      assertError(await s.request('PUT', '/api/v1/connectors/put-2?tenant=default', webhookBody('put-2', { tenant: 'elsewhere' })), 'VALIDATION_FAILED', [{ path: 'tenant', rule: 'must match the tenant in the URL (default)' }]);
      // the same name in the body is fine
      assert.equal((await s.request('PUT', '/api/v1/connectors/put-2', webhookBody('put-2'))).status, 200);
      assert.equal((await s.request('GET', '/api/v1/connectors/other-name')).status, 404);
    });

    test('revision: the current one succeeds, a stale one is 409 and changes nothing', async () => {
      await s.request('POST', '/api/v1/connectors', webhookBody('put-3'));
      assert.equal((await s.request<View>('PUT', '/api/v1/connectors/put-3', { ...webhookBody('put-3'), description: 'v2', revision: 1 })).body.revision, 2);
      const stale = await s.request('PUT', '/api/v1/connectors/put-3', { ...webhookBody('put-3'), description: 'v3', revision: 1 });
      assertError(stale, 'CONFLICT');
      assert.match((stale.body as ErrorBody).message, /revision 2, not 1/);
      const now = (await s.request<View>('GET', '/api/v1/connectors/put-3')).body;
      assert.equal(now.revision, 2);
      assert.equal(now.description, 'v2');
    });

    test('an invalid replacement is 400 and the stored definition is untouched', async () => {
      const created = (await s.request<View>('POST', '/api/v1/connectors', webhookBody('put-4'))).body;
      assertError(await s.request('PUT', '/api/v1/connectors/put-4', { type: 'webhook', topic_filter: 'a', config: { url: 'ftp://x' } }), 'VALIDATION_FAILED', [{ path: 'config.url', rule: 'expected an http:// or https:// URL' }]);
      assertError(await s.request('PUT', '/api/v1/connectors/put-4', { type: 'webhook', config: { url: 'http://x' } }), 'VALIDATION_FAILED', [{ path: 'topic_filter', rule: 'is required' }]);
      assert.deepEqual(definitionOf((await s.request<View>('GET', '/api/v1/connectors/put-4')).body), definitionOf(created));
    });
  });

  describe('PATCH merges', () => {
    test('config merges key by key; null removes an optional key', async () => {
      await s.request('POST', '/api/v1/connectors', webhookBody('patch-1', { config: { url: 'http://a', headers: { 'X-A': '1', 'X-B': '2' }, username: 'bob', timeout_ms: 100 } }));
      const r = await s.request<View>('PATCH', '/api/v1/connectors/patch-1', { config: { timeout_ms: 200, headers: { 'X-B': null, 'X-C': '3' }, username: null } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.revision, 2);
      assert.deepEqual(r.body.config, { url: 'http://a', headers: { 'X-A': '1', 'X-C': '3' }, timeout_ms: 200, method: 'post', auth_type: 'none' });
      assert.equal(r.body.topic_filter, 'sensors/#', 'fields not in the patch are kept');
      assert.deepEqual(definitionOf((await s.request<View>('GET', '/api/v1/connectors/patch-1')).body), definitionOf(r.body));
    });

    test('null on a field with a default resets it to the default', async () => {
      await s.request('POST', '/api/v1/connectors', webhookBody('patch-2', { description: 'hello', config: { url: 'http://a', timeout_ms: 100 } }));
      const r = await s.request<View>('PATCH', '/api/v1/connectors/patch-2', { config: { timeout_ms: null } });
      assert.equal(r.body.config.timeout_ms, 5000);
      // top-level null is refused by the body schema
      assertError(await s.request('PATCH', '/api/v1/connectors/patch-2', { description: null }), 'VALIDATION_FAILED', [{ path: 'description', rule: 'must be a string' }]);
    });

    test('failure_strategy and delivery merge; top-level fields replace', async () => {
      await s.request('POST', '/api/v1/connectors', webhookBody('patch-3', { failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 9 }, delivery: { batch_size: 7 } }));
      const r = await s.request<View>('PATCH', '/api/v1/connectors/patch-3', { failure_strategy: { wait_time_ms: 50 }, delivery: { linger_ms: 3 }, desired_state: 'paused', topic_filter: 'x/#' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.failure_strategy.strategy, 'discard_after_retry');
      assert.equal(r.body.failure_strategy.retry_total_times, 9);
      assert.equal(r.body.failure_strategy.wait_time_ms, 50);
      assert.equal(r.body.delivery.batch_size, 7);
      assert.equal(r.body.delivery.linger_ms, 3);
      assert.equal(r.body.desired_state, 'paused');
      assert.equal(r.body.topic_filter, 'x/#');
    });

    test('config given as a JSON string merges too', async () => {
      await s.request('POST', '/api/v1/connectors', webhookBody('patch-4'));
      const r = await s.request<View>('PATCH', '/api/v1/connectors/patch-4', { config: '{"method":"put"}' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.config.method, 'put');
      assert.equal(r.body.config.url, LOCAL_WEBHOOK_URL);
    });

    test('a patch leading to an invalid definition is 400 naming the field; nothing is stored', async () => {
      const created = (await s.request<View>('POST', '/api/v1/connectors', webhookBody('patch-5'))).body;
      assertError(await s.request('PATCH', '/api/v1/connectors/patch-5', { config: { auth_type: 'bearer' } }), 'VALIDATION_FAILED', [{ path: 'config.bearer_token', rule: 'is required when auth_type is bearer' }]);
      assertError(await s.request('PATCH', '/api/v1/connectors/patch-5', { config: { url: null } }), 'VALIDATION_FAILED', [{ path: 'config.url', rule: 'is required' }]);
      assertError(await s.request('PATCH', '/api/v1/connectors/patch-5', { topic_filter: 'a+' }), 'VALIDATION_FAILED', [{ path: 'topic_filter', rule: '+ must be a whole level' }]);
      assertError(await s.request('PATCH', '/api/v1/connectors/patch-5', { config: 'not json' }), 'INVALID_JSON');
      assertError(await s.request('PATCH', '/api/v1/connectors/patch-5', { bogus: 1 }), 'VALIDATION_FAILED', [{ path: 'bogus', rule: 'is not a known field' }]);
      assert.deepEqual(definitionOf((await s.request<View>('GET', '/api/v1/connectors/patch-5')).body), definitionOf(created));
    });

    test('a name in the body that differs from the URL is 400; a stale revision is 409', async () => {
      await s.request('POST', '/api/v1/connectors', webhookBody('patch-6'));
      assertError(await s.request('PATCH', '/api/v1/connectors/patch-6', { name: 'renamed' }), 'VALIDATION_FAILED', [{ path: 'name', rule: 'must match the URL (patch-6); a connector cannot be renamed' }]);
      assert.equal((await s.request<View>('PATCH', '/api/v1/connectors/patch-6', { description: 'a', revision: 1 })).body.revision, 2);
      assertError(await s.request('PATCH', '/api/v1/connectors/patch-6', { description: 'b', revision: 1 }), 'CONFLICT');
      assert.equal((await s.request<View>('GET', '/api/v1/connectors/patch-6')).body.description, 'a');
    });
  });

  test('PUT and PATCH in a non-default tenant, addressed by ?tenant=', async () => {
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('tn-1', { tenant: 'acme' }))).status, 201);
    const patched = await s.request<View>('PATCH', '/api/v1/connectors/tn-1?tenant=acme', { description: 'patched' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.tenant, 'acme');
    assert.equal(patched.body.description, 'patched');
    // the same tenant in the body is fine, another one is refused
    assert.equal((await s.request('PATCH', '/api/v1/connectors/tn-1?tenant=acme', { tenant: 'acme', description: 'again' })).status, 200);
    assertError(await s.request('PATCH', '/api/v1/connectors/tn-1?tenant=acme', { tenant: 'other' }), 'VALIDATION_FAILED', [{ path: 'tenant', rule: 'must match the tenant in the URL (acme)' }]);
    const put = await s.request<View>('PUT', '/api/v1/connectors/tn-1?tenant=acme', { type: 'webhook', topic_filter: 'acme/#', config: { url: 'http://acme' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.revision, 4);
    assert.equal(put.body.topic_filter, 'acme/#');
    // without ?tenant= the default tenant is meant, where tn-1 does not exist
    assertError(await s.request('PATCH', '/api/v1/connectors/tn-1', { description: 'x' }), 'NOT_FOUND');
    assert.equal((await s.request('DELETE', '/api/v1/connectors/tn-1?tenant=acme')).status, 204);
  });

  test('DELETE: 204 with no body, then 404; other connectors remain', async () => {
    await s.request('POST', '/api/v1/connectors', webhookBody('del-1'));
    await s.request('POST', '/api/v1/connectors', webhookBody('del-2'));
    const r = await s.request('DELETE', '/api/v1/connectors/del-1');
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    assertError(await s.request('GET', '/api/v1/connectors/del-1'), 'NOT_FOUND');
    assertError(await s.request('DELETE', '/api/v1/connectors/del-1'), 'NOT_FOUND');
    assert.equal((await s.request('GET', '/api/v1/connectors/del-2')).status, 200);
    // and the name can be used again
    assert.equal((await s.request<View>('POST', '/api/v1/connectors', webhookBody('del-1'))).body.revision, 1);
  });
});

describe('GET /api/v1/connectors (list)', () => {
  const T = 'listing';
  before(async () => {
    for (const [name, type] of [['lb-sensor', 'webhook'], ['la-sensor', 'file'], ['lc-pump', 'webhook'], ['ld-sensor-2', 'webhook'], ['le-valve', 'file']] as const) {
      const body = type === 'file' ? { name, type, topic_filter: 'a', config: { local_file_path: '/tmp/x' }, tenant: T } : webhookBody(name, { tenant: T });
      assert.equal((await s.request('POST', '/api/v1/connectors', body)).status, 201);
      await sleep(5);
    }
    await s.request('POST', '/api/v1/connectors', webhookBody('lz-sensor', { tenant: `${T}-other` }));
  });

  const names = async (q: string) => {
    const r = await s.request<ListBody>('GET', `/api/v1/connectors?tenant=${T}&${q}`);
    assert.equal(r.status, 200, r.text);
    return r.body;
  };

  test('tenant is exact; the default page echoes page and limit', async () => {
    const b = await names('');
    assert.deepEqual(b.items.map((v) => v.name), ['la-sensor', 'lb-sensor', 'lc-pump', 'ld-sensor-2', 'le-valve']);
    assert.equal(b.total, 5);
    assert.equal(b.page, 1);
    assert.equal(b.limit, 100);
    assert.ok(b.items.every((v) => v.tenant === T));
  });

  test('without tenant, every tenant is listed', async () => {
    const r = await s.request<ListBody>('GET', '/api/v1/connectors?name=sensor&sort=tenant');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items.map((v) => `${v.tenant}/${v.name}`), [`${T}/la-sensor`, `${T}/lb-sensor`, `${T}/ld-sensor-2`, `${T}-other/lz-sensor`]);
    assert.equal(r.body.total, 4);
  });

  test('name is a contains-match', async () => {
    const b = await names('name=sensor');
    assert.deepEqual(b.items.map((v) => v.name), ['la-sensor', 'lb-sensor', 'ld-sensor-2']);
    assert.equal(b.total, 3);
  });

  test('type filter (case-insensitive)', async () => {
    assert.deepEqual((await names('type=FILE')).items.map((v) => v.name), ['la-sensor', 'le-valve']);
  });

  test('sort by name and created_at, both ways', async () => {
    assert.deepEqual((await names('sort=name&order=desc')).items.map((v) => v.name), ['le-valve', 'ld-sensor-2', 'lc-pump', 'lb-sensor', 'la-sensor']);
    assert.deepEqual((await names('sort=created_at&order=asc')).items.map((v) => v.name), ['lb-sensor', 'la-sensor', 'lc-pump', 'ld-sensor-2', 'le-valve']);
    assert.deepEqual((await names('sort=created_at&order=desc')).items.map((v) => v.name), ['le-valve', 'ld-sensor-2', 'lc-pump', 'la-sensor', 'lb-sensor']);
  });

  test('pagination: limit and 1-based page, total stays the full count', async () => {
    const p1 = await names('limit=2&page=1');
    const p2 = await names('limit=2&page=2');
    const p3 = await names('limit=2&page=3');
    const p4 = await names('limit=2&page=4');
    assert.deepEqual([p1, p2, p3, p4].map((p) => p.items.map((v) => v.name)), [['la-sensor', 'lb-sensor'], ['lc-pump', 'ld-sensor-2'], ['le-valve'], []]);
    assert.deepEqual([p1, p2, p3, p4].map((p) => p.total), [5, 5, 5, 5]);
    assert.equal(p2.page, 2);
    assert.equal(p2.limit, 2);
  });

  test('bad query parameters are 400 naming query.<param>', async () => {
    assertError(await s.request('GET', '/api/v1/connectors?limit=0'), 'VALIDATION_FAILED', [{ path: 'query.limit', rule: 'must be ≥ 1' }]);
    assertError(await s.request('GET', '/api/v1/connectors?limit=1001'), 'VALIDATION_FAILED', [{ path: 'query.limit', rule: 'must be ≤ 1000' }]);
    assertError(await s.request('GET', '/api/v1/connectors?page=0'), 'VALIDATION_FAILED', [{ path: 'query.page', rule: 'must be ≥ 1' }]);
    assertError(await s.request('GET', '/api/v1/connectors?limit=ten'), 'VALIDATION_FAILED', [{ path: 'query.limit', rule: 'must be an integer' }]);
    assertError(await s.request('GET', '/api/v1/connectors?sort=size'), 'VALIDATION_FAILED', [{ path: 'query.sort', rule: 'must be one of: name, tenant, type, created_at, updated_at' }]);
    assertError(await s.request('GET', '/api/v1/connectors?order=up'), 'VALIDATION_FAILED', [{ path: 'query.order', rule: 'must be one of: asc, desc' }]);
    assertError(await s.request('GET', '/api/v1/connectors?colour=red'), 'VALIDATION_FAILED', [{ path: 'query.colour', rule: 'is not a known field' }]);
    assertError(await s.request('GET', `/api/v1/connectors?tenant=${encodeURIComponent("x' OR 1=1")}`), 'VALIDATION_FAILED', [{ path: 'query.tenant', rule: 'expected 1–256 of A-Z a-z 0-9 _ . -, not . or ..' }]);
  });
});

describe('system routes', () => {
  test('/health and /ready', async () => {
    const h = await s.request('GET', '/health');
    assert.equal(h.status, 200);
    assert.deepEqual(h.body, { status: 'ok' });
    const r = await s.request<{ ready: boolean; store: boolean }>('GET', '/ready');
    assert.equal(r.status, 200);
    assert.equal(r.body.ready, true);
    assert.equal(r.body.store, true);
  });
});
