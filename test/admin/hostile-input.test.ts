// Hostile input over real HTTP: SQL- and path-looking names, NUL bytes, huge strings, wrong
// types. Each is refused by the rule that applies, and the store is never harmed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SqliteDefinitionStore } from '../../src/metadata/sqlite-store.js';
import { assertError, type ErrorBody, startTestServer, type TestServer, webhookBody } from '../helpers/server.js';

const NAME_RULE = 'expected 1–128 of A-Z a-z 0-9 _ . -, not . or ..';
const TENANT_RULE = 'expected 1–256 of A-Z a-z 0-9 _ . -, not . or ..';
const SQL = "x'; DROP TABLE connectors;--";
const PATH = '../../etc/passwd';

let s: TestServer;
before(async () => {
  // a 4 MB body limit so that 1 MB strings reach the validation rules instead of the 413
  s = await startTestServer({ bodyLimit: 4 * 1024 * 1024 });
  for (const name of ['keep-1', 'keep-2']) assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody(name, { description: `original ${name}` }))).status, 201);
});
after(() => s.cleanup());

async function assertStoreIntact(): Promise<void> {
  const r = await s.request<{ items: { name: string; description: string }[]; total: number }>('GET', '/api/v1/connectors');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((i) => [i.name, i.description]), [['keep-1', 'original keep-1'], ['keep-2', 'original keep-2']]);
  const rq = await s.request<{ data: { total_count: number } }>('GET', '/api/cluster/connector/list');
  assert.equal(rq.body.data.total_count, 2);
  // and through the store itself
  const store = new SqliteDefinitionStore(s.dbPath);
  try {
    assert.deepEqual((await store.all()).map((d) => d.name), ['keep-1', 'keep-2']);
  } finally {
    await store.close();
  }
}

describe('hostile names', () => {
  test('SQL-looking and path-looking names are refused by the name rule on both create routes', async () => {
    for (const name of [SQL, PATH, 'a/b', 'a b', "' OR '1'='1", 'a;b', '<script>', 'naïve', '%2e%2e']) {
      assertError(await s.request('POST', '/api/v1/connectors', webhookBody(name)), 'VALIDATION_FAILED', [{ path: 'name', rule: NAME_RULE }]);
      const rq = await s.request('POST', '/api/cluster/connector/create', { connector_name: name, connector_type: 'webhook', topic_name: 'a', config: '{"url":"http://x"}' });
      assertError(rq, 'VALIDATION_FAILED', [{ path: 'connector_name', rule: NAME_RULE }]);
    }
    await assertStoreIntact();
  });

  test('hostile names in URLs, query strings and delete bodies are refused or match nothing', async () => {
    assertError(await s.request('GET', `/api/v1/connectors/${encodeURIComponent(SQL)}`), 'VALIDATION_FAILED', [{ path: 'path.name', rule: NAME_RULE }]);
    assertError(await s.request('DELETE', `/api/v1/connectors/${encodeURIComponent(SQL)}`), 'VALIDATION_FAILED', [{ path: 'path.name', rule: NAME_RULE }]);
    assertError(await s.request('PUT', `/api/v1/connectors/${encodeURIComponent(PATH)}`, webhookBody('x')), 'VALIDATION_FAILED', [{ path: 'path.name', rule: NAME_RULE }]);
    assertError(await s.request('GET', `/api/v1/connectors/keep-1?tenant=${encodeURIComponent(SQL)}`), 'VALIDATION_FAILED', [{ path: 'query.tenant', rule: TENANT_RULE }]);
    assertError(await s.request('POST', '/api/cluster/connector/delete', { connector_name: SQL }), 'VALIDATION_FAILED', [{ path: 'connector_name', rule: NAME_RULE }]);
    assertError(await s.request('POST', '/api/cluster/connector/delete', { tenant: PATH, connector_name: 'keep-1' }), 'VALIDATION_FAILED', [{ path: 'tenant', rule: TENANT_RULE }]);
    assertError(await s.request('GET', `/api/cluster/connector/detail?connector_name=${encodeURIComponent(SQL)}`), 'VALIDATION_FAILED', [{ path: 'query.connector_name', rule: NAME_RULE }]);
    // the name filters of the lists are contains-matches on data, not SQL
    for (const q of [SQL, "' OR 1=1 --", '%', '_', '"']) {
      const v1 = await s.request<{ total: number }>('GET', `/api/v1/connectors?name=${encodeURIComponent(q)}`);
      assert.equal(v1.status, 200, v1.text);
      assert.equal(v1.body.total, 0, q);
      const rq = await s.request<{ data: { total_count: number } }>('GET', `/api/cluster/connector/list?connector_name=${encodeURIComponent(q)}`);
      assert.equal(rq.body.data.total_count, 0, q);
    }
    await assertStoreIntact();
  });

  test('a hostile tenant on create is refused by the tenant rule', async () => {
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody('t', { tenant: SQL })), 'VALIDATION_FAILED', [{ path: 'tenant', rule: TENANT_RULE }]);
    assertError(await s.request('POST', '/api/cluster/connector/create', { tenant: PATH, connector_name: 't', connector_type: 'webhook', topic_name: 'a', config: '{"url":"http://x"}' }), 'VALIDATION_FAILED', [{ path: 'tenant', rule: TENANT_RULE }]);
    await assertStoreIntact();
  });
});

describe('NUL bytes', () => {
  test('in names, topics, DLQ topics and file paths', async () => {
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody('a\u0000b')), 'VALIDATION_FAILED', [{ path: 'name', rule: NAME_RULE }]);
    assertError(await s.request('GET', '/api/v1/connectors/keep-1%00'), 'VALIDATION_FAILED', [{ path: 'path.name', rule: NAME_RULE }]);
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody('nul-topic', { topic_filter: 'a/\u0000/b' })), 'VALIDATION_FAILED', [{ path: 'topic_filter', rule: 'must not contain a NUL character' }]);
    assertError(await s.request('POST', '/api/cluster/connector/create', { connector_name: 'nul-topic', connector_type: 'webhook', topic_name: 'a\u0000', config: '{"url":"http://x"}' }), 'VALIDATION_FAILED', [{ path: 'topic_name', rule: 'must not contain a NUL character' }]);
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody('nul-dlq', { failure_strategy: { strategy: 'dead_message_queue', topic_name: 'dlq\u0000' } })), 'VALIDATION_FAILED', [{ path: 'failure_strategy.topic_name', rule: 'must not contain a NUL character' }]);
    assertError(await s.request('POST', '/api/v1/connectors', { name: 'nul-path', type: 'file', topic_filter: 'a', config: { local_file_path: '/tmp/out\u0000.jsonl' } }), 'VALIDATION_FAILED', [{ path: 'config.local_file_path', rule: 'must not contain a NUL character' }]);
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody('nul-tenant', { tenant: 't\u0000' })), 'VALIDATION_FAILED', [{ path: 'tenant', rule: TENANT_RULE }]);
    await assertStoreIntact();
  });
});

describe('huge strings', () => {
  const MB = 'x'.repeat(1024 * 1024);

  test('a 1 MB name is refused by the name rule', async () => {
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody(MB)), 'VALIDATION_FAILED', [{ path: 'name', rule: 'must be at most 128 characters' }]);
    assertError(await s.request('POST', '/api/cluster/connector/create', { connector_name: MB, connector_type: 'webhook', topic_name: 'a', config: '{"url":"http://x"}' }), 'VALIDATION_FAILED', [{ path: 'connector_name', rule: 'must be at most 128 characters' }]);
  });

  test('a 1 MB topic is refused by the topic rule', async () => {
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody('big-topic', { topic_filter: MB })), 'VALIDATION_FAILED', [{ path: 'topic_filter', rule: 'must be at most 65535 characters' }]);
    // multi-byte: within 65535 characters but over 65535 bytes of UTF-8
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody('big-topic', { topic_filter: '€'.repeat(30_000) })), 'VALIDATION_FAILED', [{ path: 'topic_filter', rule: 'must be at most 65535 bytes of UTF-8' }]);
  });

  test('1 MB config values, description and type are refused by their rules', async () => {
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody('big-cfg', { config: { url: `http://${MB}` } })), 'VALIDATION_FAILED', [{ path: 'config.url', rule: 'must be at most 2048 characters' }]);
    assertError(await s.request('POST', '/api/v1/connectors', webhookBody('big-desc', { description: MB })), 'VALIDATION_FAILED', [{ path: 'description', rule: 'must be at most 1024 characters' }]);
    const r = await s.request('POST', '/api/v1/connectors', webhookBody('big-type', { type: MB }));
    assertError(r, 'VALIDATION_FAILED', [{ path: 'type', rule: 'must be at most 64 characters' }]);
    assert.ok(r.text.length < 1000, 'the huge value is not echoed');
    await assertStoreIntact();
  });
});

describe('wrong types', () => {
  test('number for string, string for integer, arrays, objects and null are refused with the field named', async () => {
    const cases: [Record<string, unknown>, { path: string; rule: string }[]][] = [
      [{ name: 42 }, [{ path: 'name', rule: 'must be a string' }]],
      [{ name: ['a'] }, [{ path: 'name', rule: 'must be a string' }]],
      [{ name: null }, [{ path: 'name', rule: 'must be a string' }]],
      [{ topic_filter: 7 }, [{ path: 'topic_filter', rule: 'must be a string' }]],
      [{ type: { name: 'webhook' } }, [{ path: 'type', rule: 'must be a string' }]],
      [{ config: 5 }, [{ path: 'config', rule: 'must be a JSON object, or a string holding one' }]],
      [{ config: null }, [{ path: 'config', rule: 'must be a JSON object, or a string holding one' }]],
      [{ config: ['http://x'] }, [{ path: 'config', rule: 'must be a JSON object, or a string holding one' }]],
      [{ config: { url: 123 } }, [{ path: 'config.url', rule: 'must be a string' }]],
      [{ config: { url: 'http://x', timeout_ms: '5000' } }, [{ path: 'config.timeout_ms', rule: 'must be an integer' }]],
      [{ config: { url: 'http://x', timeout_ms: [5000] } }, [{ path: 'config.timeout_ms', rule: 'must be an integer' }]],
      [{ config: { url: 'http://x', headers: ['X-A'] } }, [{ path: 'config.headers', rule: 'must be an object' }]],
      [{ config: { url: 'http://x', method: 7 } }, [{ path: 'config.method', rule: 'must be one of: post, put' }]],
      [{ config: { url: null } }, [{ path: 'config.url', rule: 'is required' }]],
      [{ failure_strategy: 'discard' }, [{ path: 'failure_strategy', rule: 'must be an object' }]],
      [{ failure_strategy: { strategy: 'discard_after_retry', retry_total_times: '3' } }, [{ path: 'failure_strategy.retry_total_times', rule: 'must be an integer' }]],
      [{ delivery: { batch_size: '10' } }, [{ path: 'delivery.batch_size', rule: 'must be an integer' }]],
      [{ desired_state: true }, [{ path: 'desired_state', rule: 'must be one of: running, paused' }]],
      [{ description: 5 }, [{ path: 'description', rule: 'must be a string' }]],
    ];
    for (const [patch, fields] of cases) {
      const r = await s.request('POST', '/api/v1/connectors', { ...webhookBody('typed'), ...patch });
      assertError(r, 'VALIDATION_FAILED', fields);
      assert.ok(!(r.body as ErrorBody).message.includes('undefined'), r.text);
    }
    await assertStoreIntact();
  });
});
