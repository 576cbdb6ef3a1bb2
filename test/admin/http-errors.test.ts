// Transport-level error paths over real HTTP: body size, content type, malformed JSON, unknown
// routes, bearer-token auth; every error has the one body shape and never a stack trace.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertError, assertNoStack, type ErrorBody, httpRequest, startTestServer, type TestServer, webhookBody } from '../helpers/server.js';

describe('request errors', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.cleanup());

  test('a 2 MB body is 413 PAYLOAD_TOO_LARGE naming the limit, on both surfaces', async () => {
    const big = { ...webhookBody('big'), description: 'x'.repeat(2 * 1024 * 1024) };
    const r = await s.request('POST', '/api/v1/connectors', big);
    const body = assertError(r, 'PAYLOAD_TOO_LARGE');
    assert.equal(body.message, 'request body is larger than 1048576 bytes');
    assertError(await s.request('POST', '/api/cluster/connector/create', { connector_name: 'big', config: 'x'.repeat(2 * 1024 * 1024) }), 'PAYLOAD_TOO_LARGE');
    assertError(await s.request('GET', '/api/v1/connectors/big'), 'NOT_FOUND');
  });

  test('a body that is not application/json is 415', async () => {
    for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await s.request('POST', '/api/v1/connectors', JSON.stringify(webhookBody('ct')), { raw: true, headers: { 'content-type': contentType } });
      const body = assertError(r, 'UNSUPPORTED_MEDIA_TYPE');
      assert.equal(body.message, 'request body must be application/json');
    }
    // fetch labels a bare string body text/plain
    assertError(await s.request('POST', '/api/cluster/connector/create', '{}', { raw: true }), 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await s.request('GET', '/api/v1/connectors/ct'), 'NOT_FOUND');
  });

  test('application/json with a charset is accepted', async () => {
    const r = await s.request('POST', '/api/v1/connectors', JSON.stringify(webhookBody('charset')), { raw: true, headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(r.status, 201, r.text);
  });

  test('malformed JSON is 400 INVALID_JSON; an empty JSON body too', async () => {
    for (const raw of ['{"name": "x",', '{name: "x"}', "{'a':1}", 'nul', '{"a":1}}']) {
      assertError(await s.request('POST', '/api/v1/connectors', raw, { raw: true, headers: { 'content-type': 'application/json' } }), 'INVALID_JSON');
    }
    const empty = assertError(await s.request('POST', '/api/v1/connectors', '', { raw: true, headers: { 'content-type': 'application/json' } }), 'INVALID_JSON');
    assert.match(empty.message, /empty/);
    assertError(await s.request('POST', '/api/cluster/connector/create', '{"connector_name":', { raw: true, headers: { 'content-type': 'application/json' } }), 'INVALID_JSON');
  });

  test('JSON that is not an object is 400 VALIDATION_FAILED', async () => {
    for (const body of [[], 'a string', 42, null]) {
      const r = await s.request('POST', '/api/v1/connectors', JSON.stringify(body), { raw: true, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 400, r.text);
      assert.ok(['VALIDATION_FAILED', 'INVALID_JSON'].includes((r.body as ErrorBody).error), r.text);
      assertNoStack(r.text);
    }
  });

  test('JSON prototype-pollution keys are refused, not applied', async () => {
    const raw = `{"name":"proto","type":"webhook","topic_filter":"a","config":{"url":"http://x"},"__proto__":{"polluted":true}}`;
    const r = await s.request('POST', '/api/v1/connectors', raw, { raw: true, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400, r.text);
    assertNoStack(r.text);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('unknown routes are 404 with the error body, for every method', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await s.request(method, '/no/such/route', method === 'GET' || method === 'DELETE' ? undefined : {});
      const body = assertError(r, 'NOT_FOUND');
      assert.equal(body.message, `no route ${method} /no/such/route`);
    }
  });

  test('an error body never carries a stack trace (a sample of every kind)', async () => {
    const samples = [
      await s.request('POST', '/api/v1/connectors', {}),
      await s.request('POST', '/api/v1/connectors', '{', { raw: true, headers: { 'content-type': 'application/json' } }),
      await s.request('POST', '/api/v1/connectors', 'x', { raw: true, headers: { 'content-type': 'text/plain' } }),
      await s.request('GET', '/api/v1/connectors/nope'),
      await s.request('GET', '/api/v1/connectors?limit=-1'),
      await s.request('POST', '/api/v1/connector-types/nope/validate', { config: {} }),
      await s.request('POST', '/api/cluster/connector/create', { connector_name: 'x', connector_type: 'kafka', topic_name: 'a', config: '{bad' }),
    ];
    for (const r of samples) {
      assert.ok(r.status >= 400, r.text);
      assertNoStack(r.text);
      assert.ok(!/"stack"/.test(r.text));
    }
  });
});

describe('bearer token', () => {
  const TOKEN = 's3cret-token-value';
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ apiToken: TOKEN });
  });
  after(() => s.cleanup());

  const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => httpRequest(s.url, method, path, body, { headers });

  test('/health is open without a token', async () => {
    const r = await raw('GET', '/health');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'ok' });
    assert.equal((await raw('GET', '/health?x=1')).status, 200);
  });

  test('every other route needs the token: 401 without it', async () => {
    for (const [method, path, body] of [
      ['GET', '/ready'],
      ['GET', '/openapi.json'],
      ['GET', '/api/v1/connectors'],
      ['POST', '/api/v1/connectors', webhookBody('auth-1')],
      ['GET', '/api/v1/connectors/x'],
      ['DELETE', '/api/v1/connectors/x'],
      ['GET', '/api/v1/connector-types'],
      ['GET', '/api/cluster/connector/list'],
      ['POST', '/api/cluster/connector/create', { connector_name: 'x' }],
      ['GET', '/no/such/route'],
    ] as [string, string, unknown?][]) {
      const r = await raw(method, path, body === undefined ? {} : { 'content-type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
      const e = assertError(r, 'UNAUTHORIZED');
      assert.equal(e.message, 'missing Authorization: Bearer <token> header', `${method} ${path}`);
    }
    // nothing was created behind the 401
    const list = await raw('GET', '/api/v1/connectors', { authorization: `Bearer ${TOKEN}` });
    assert.equal((list.body as { total: number }).total, 0);
  });

  test('a wrong token, a different scheme, or a token prefix is 401', async () => {
    for (const authorization of ['Bearer wrong', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, TOKEN, 'Bearer ', `Token ${TOKEN}`]) {
      const r = await raw('GET', '/api/v1/connectors', { authorization });
      assertError(r, 'UNAUTHORIZED');
      assert.ok(!r.text.includes(TOKEN), 'the expected token is never echoed');
    }
  });

  test('the right token passes, on both surfaces; the scheme is case-insensitive', async () => {
    assert.equal((await raw('GET', '/api/v1/connectors', { authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await raw('GET', '/api/v1/connectors', { authorization: `bearer ${TOKEN}` })).status, 200);
    assert.equal((await raw('GET', '/api/cluster/connector/list', { authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await raw('GET', '/ready', { authorization: `Bearer ${TOKEN}` })).status, 200);
    const created = await s.request('POST', '/api/v1/connectors', webhookBody('auth-ok'));
    assert.equal(created.status, 201, created.text);
    // an unknown route with the right token is a 404, not a 401
    assertError(await raw('GET', '/no/such/route', { authorization: `Bearer ${TOKEN}` }), 'NOT_FOUND');
  });

  test('the OpenAPI document declares the bearer scheme', async () => {
    const r = await s.request<{ security: unknown[]; components: { securitySchemes: Record<string, unknown> } }>('GET', '/openapi.json');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', description: 'SLUICE_API_TOKEN of the server' });
    assert.deepEqual(r.body.security, [{ bearer: [] }]);
  });
});

describe('body limit setting', () => {
  test('SLUICE_BODY_LIMIT (bodyLimit) is honoured and named in the message', async () => {
    const s = await startTestServer({ bodyLimit: 2048 });
    try {
      assertError(await s.request('POST', '/api/v1/connectors', { ...webhookBody('small'), description: 'x'.repeat(3000) }), 'PAYLOAD_TOO_LARGE');
      const r = await s.request('POST', '/api/v1/connectors', { ...webhookBody('small'), description: 'x'.repeat(3000) });
      assert.equal((r.body as ErrorBody).message, 'request body is larger than 2048 bytes');
      assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('small'))).status, 201);
    } finally {
      await s.cleanup();
    }
  });
});
