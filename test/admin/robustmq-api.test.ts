// The RobustMQ-compatible surface (/api/cluster/connector/*) over real HTTP:
// envelope {code: 0, message: "success", data}, errors {code: non-zero, message}.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertError, type ErrorBody, type HttpResult, startTestServer, type TestServer } from '../helpers/server.js';
import { NO_SUCH_TYPE, typeNames } from '../helpers/type-fixtures.js';

interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}
interface RobustItem {
  tenant: string;
  connector_name: string;
  connector_type: string;
  config: string;
  topic_name: string;
  failure_strategy: Record<string, unknown>;
  status: string;
  broker_id: string;
  create_time: string;
  update_time: string;
}
interface RobustList {
  data: RobustItem[];
  total_count: number;
}

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.cleanup());

const KAFKA_CONFIG = { bootstrap_servers: '127.0.0.1:9', topic: 'mqtt' };

function createBody(name: string, extra: Record<string, unknown> = {}) {
  return { connector_name: name, connector_type: 'kafka', topic_name: 'sensors/#', config: JSON.stringify(KAFKA_CONFIG), ...extra };
}

function assertOk<T>(r: HttpResult): T {
  assert.equal(r.status, 200, r.text);
  const env = r.body as Envelope<T>;
  assert.equal(env.code, 0);
  assert.equal(env.message, 'success');
  assert.deepEqual(Object.keys(env).sort(), ['code', 'data', 'message']);
  return env.data;
}

/** RobustMQ clients look at `code != 0` and `message`; Sluice adds `error` and `fields`. */
function assertRobustError(r: HttpResult, status: number): ErrorBody {
  assert.equal(r.status, status, r.text);
  const body = r.body as ErrorBody;
  assert.equal(typeof body.code, 'number');
  assert.notEqual(body.code, 0);
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0);
  return body;
}

async function list(query = ''): Promise<RobustList> {
  return assertOk<RobustList>(await s.request('GET', `/api/cluster/connector/list${query ? `?${query}` : ''}`));
}

describe('POST /api/cluster/connector/create', () => {
  test('config as a JSON string: success envelope, and the connector exists', async () => {
    const data = assertOk<string>(await s.request('POST', '/api/cluster/connector/create', createBody('rq-1')));
    assert.equal(data, 'success');
    const v1 = await s.request<{ config: Record<string, unknown>; topic_filter: string; type: string }>('GET', '/api/v1/connectors/rq-1');
    assert.equal(v1.status, 200);
    assert.equal(v1.body.type, 'kafka');
    assert.equal(v1.body.topic_filter, 'sensors/#');
    assert.equal(v1.body.config.bootstrap_servers, '127.0.0.1:9');
    assert.equal(v1.body.config.acks, 'all', 'defaults are filled in');
  });

  test('config as an object is accepted too; the type is case-insensitive', async () => {
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-obj', { connector_type: 'KAFKA', config: KAFKA_CONFIG })));
    assert.equal((await s.request<{ type: string }>('GET', '/api/v1/connectors/rq-obj')).body.type, 'kafka');
  });

  test('failure_strategy fields sent as null take the defaults; a null strategy object is the default strategy', async () => {
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-null', {
      failure_strategy: { strategy: 'discard_after_retry', retry_total_times: null, wait_time_ms: null, topic_name: null },
    })));
    const fs = (await s.request<{ failure_strategy: Record<string, unknown> }>('GET', '/api/v1/connectors/rq-null')).body.failure_strategy;
    assert.deepEqual(fs, { strategy: 'discard_after_retry', retry_total_times: 3, wait_time_ms: 1000, topic_name: 'dead_letter_queue', backoff: 'fixed', max_wait_ms: 60_000 });
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-null2', { failure_strategy: null })));
    assert.equal((await s.request<{ failure_strategy: { strategy: string } }>('GET', '/api/v1/connectors/rq-null2')).body.failure_strategy.strategy, 'dead_message_queue');
  });

  test('a dead_message_queue strategy with its topic is stored', async () => {
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-dlq', { failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 5, wait_time_ms: 200, topic_name: 'dlq/rq' } })));
    const item = (await list('connector_name=rq-dlq')).data[0];
    assert.deepEqual(item?.failure_strategy, { strategy: 'dead_message_queue', retry_total_times: 5, wait_time_ms: 200, topic_name: 'dlq/rq', backoff: 'fixed', max_wait_ms: 60_000 });
  });

  test('duplicate: 409 with a non-zero code', async () => {
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-dup')));
    const body = assertRobustError(await s.request('POST', '/api/cluster/connector/create', createBody('rq-dup')), 409);
    assert.equal(body.code, 1006);
    assert.match(body.message, /already exists/);
  });

  test('invalid config: 400 naming config.<field>; unknown type: 400 listing the known ones', async () => {
    const bad = await s.request('POST', '/api/cluster/connector/create', createBody('rq-bad', { config: JSON.stringify({ bootstrap_servers: 'kafka-1', topic: 'mqtt' }) }));
    assertError(bad, 'VALIDATION_FAILED', [{ path: 'config.bootstrap_servers', rule: 'expected host:port[,host:port]' }]);
    assert.equal(assertRobustError(bad, 400).message, 'config.bootstrap_servers: expected host:port[,host:port]');
    const unknown = await s.request('POST', '/api/cluster/connector/create', createBody('rq-bad', { connector_type: NO_SUCH_TYPE }));
    assert.ok(assertRobustError(unknown, 400).message.includes(`known types: ${typeNames().join(', ')}`));
  });

  test('config as a string that is not JSON: 400 INVALID_JSON naming config', async () => {
    const r = await s.request('POST', '/api/cluster/connector/create', createBody('rq-bad', { config: 'bootstrap_servers=127.0.0.1:9' }));
    const body = assertError(r, 'INVALID_JSON');
    assert.equal(body.fields?.length, 1);
    assert.equal(body.fields?.[0]?.path, 'config');
    assert.match(body.message, /^config: /);
  });

  test('config as a JSON string of an array (or of a scalar): 400 naming config', async () => {
    for (const config of ['[]', JSON.stringify([KAFKA_CONFIG]), '42', '"x"', 'null']) {
      assertError(await s.request('POST', '/api/cluster/connector/create', createBody('rq-bad', { config })), 'VALIDATION_FAILED', [{ path: 'config', rule: 'must be a JSON object' }]);
    }
    assertError(await s.request('POST', '/api/cluster/connector/create', createBody('rq-bad', { config: [1] })), 'VALIDATION_FAILED', [{ path: 'config', rule: 'must be a JSON object, or a string holding one' }]);
    assertError(await s.request('GET', '/api/v1/connectors/rq-bad'), 'NOT_FOUND');
  });

  test('missing fields and unknown fields: 400 with each path', async () => {
    assertError(await s.request('POST', '/api/cluster/connector/create', {}), 'VALIDATION_FAILED', [
      { path: 'connector_name', rule: 'is required' },
      { path: 'connector_type', rule: 'is required' },
      { path: 'config', rule: 'is required' },
      { path: 'topic_name', rule: 'is required' },
    ]);
    assertError(await s.request('POST', '/api/cluster/connector/create', createBody('rq-x', { extra: true })), 'VALIDATION_FAILED', [{ path: 'extra', rule: 'is not a known field' }]);
    assertError(await s.request('POST', '/api/cluster/connector/create', createBody('rq-x', { failure_strategy: { strategy: 'nope' } })), 'VALIDATION_FAILED', [
      { path: 'failure_strategy.strategy', rule: 'must be one of: discard, discard_after_retry, dead_message_queue' },
    ]);
    // errors name the fields as RobustMQ callers wrote them
    assertError(await s.request('POST', '/api/cluster/connector/create', createBody('rq-x', { topic_name: 'a/#/b' })), 'VALIDATION_FAILED', [
      { path: 'topic_name', rule: '# must be a whole level and the last one' },
    ]);
    assertError(await s.request('POST', '/api/cluster/connector/create', createBody('rq-x', { connector_type: NO_SUCH_TYPE })), 'VALIDATION_FAILED', [
      { path: 'connector_type', rule: `unknown connector type "${NO_SUCH_TYPE}"; known types: ${typeNames().join(', ')}` },
    ]);
  });
});

describe('GET /api/cluster/connector/list', () => {
  const T = 'rqlist';
  before(async () => {
    for (const name of ['beta-sensor', 'alpha-sensor', 'gamma-pump', 'delta-sensor']) {
      assertOk(await s.request('POST', '/api/cluster/connector/create', createBody(name, { tenant: T })));
      await sleep(5);
    }
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('alpha-sensor', { tenant: `${T}x` })));
  });

  test('items in RobustMQ shape: config as a JSON string, topic_name, status, RobustMQ times', async () => {
    const r = await list(`tenant=${T}&connector_name=alpha`);
    assert.equal(r.total_count, 1);
    const item = r.data[0];
    assert.ok(item);
    assert.equal(item.tenant, T);
    assert.equal(item.connector_name, 'alpha-sensor');
    assert.equal(item.connector_type, 'kafka');
    assert.equal(item.topic_name, 'sensors/#');
    assert.equal(typeof item.config, 'string');
    const config = JSON.parse(item.config) as Record<string, unknown>;
    assert.equal(config.bootstrap_servers, '127.0.0.1:9');
    assert.equal(config.acks, 'all');
    assert.ok(['Idle', 'Running', 'Stopped', 'Error'].includes(item.status), item.status);
    assert.equal(typeof item.broker_id, 'string');
    assert.match(item.create_time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.match(item.update_time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  test('a paused connector is listed as Stopped', async () => {
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-paused', { tenant: 'rqpause' })));
    assert.equal((await s.request('PATCH', '/api/v1/connectors/rq-paused?tenant=rqpause', { desired_state: 'paused' })).status, 200);
    // the PATCH answers once the desired state is stored; the runtime stops the connector just after
    let status: string | undefined;
    for (let i = 0; i < 100 && status !== 'Stopped'; i++) {
      status = (await list('tenant=rqpause')).data[0]?.status;
      if (status !== 'Stopped') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 'Stopped');
  });

  test('tenant is exact, connector_name contains-matches, no tenant lists every tenant', async () => {
    assert.deepEqual((await list(`tenant=${T}`)).data.map((i) => i.connector_name), ['alpha-sensor', 'beta-sensor', 'delta-sensor', 'gamma-pump']);
    assert.deepEqual((await list(`tenant=${T}&connector_name=sensor`)).data.map((i) => i.connector_name), ['alpha-sensor', 'beta-sensor', 'delta-sensor']);
    const everywhere = await list('connector_name=alpha-sensor');
    assert.deepEqual(everywhere.data.map((i) => i.tenant).sort(), [T, `${T}x`]);
  });

  test('sort_field and sort_by, both ways', async () => {
    assert.deepEqual((await list(`tenant=${T}&sort_field=connector_name&sort_by=desc`)).data.map((i) => i.connector_name), ['gamma-pump', 'delta-sensor', 'beta-sensor', 'alpha-sensor']);
    assert.deepEqual((await list(`tenant=${T}&sort_field=create_time&sort_by=asc`)).data.map((i) => i.connector_name), ['beta-sensor', 'alpha-sensor', 'gamma-pump', 'delta-sensor']);
    assert.deepEqual((await list(`tenant=${T}&sort_field=create_time&sort_by=desc`)).data.map((i) => i.connector_name), ['delta-sensor', 'gamma-pump', 'alpha-sensor', 'beta-sensor']);
  });

  test('limit and page; total_count is the full count', async () => {
    const p1 = await list(`tenant=${T}&limit=3&page=1`);
    const p2 = await list(`tenant=${T}&limit=3&page=2`);
    const p3 = await list(`tenant=${T}&limit=3&page=3`);
    assert.deepEqual([p1, p2, p3].map((p) => p.data.map((i) => i.connector_name)), [['alpha-sensor', 'beta-sensor', 'delta-sensor'], ['gamma-pump'], []]);
    assert.deepEqual([p1, p2, p3].map((p) => p.total_count), [4, 4, 4]);
  });

  test('bad query parameters are 400 with a non-zero code', async () => {
    assertError(await s.request('GET', '/api/cluster/connector/list?sort_field=size'), 'VALIDATION_FAILED', [
      { path: 'query.sort_field', rule: 'must be one of: connector_name, tenant, connector_type, create_time, update_time' },
    ]);
    assertError(await s.request('GET', '/api/cluster/connector/list?sort_by=sideways'), 'VALIDATION_FAILED', [{ path: 'query.sort_by', rule: 'must be one of: asc, desc' }]);
    assertError(await s.request('GET', '/api/cluster/connector/list?limit=0'), 'VALIDATION_FAILED', [{ path: 'query.limit', rule: 'must be ≥ 1' }]);
  });
});

describe('detail and delete', () => {
  test('detail: RobustMQ counters in the envelope; unknown connector: 404', async () => {
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-detail', { connector_type: 'file', config: JSON.stringify({ local_file_path: '/tmp/sluice-rq-detail.jsonl' }) })));
    const data = assertOk<Record<string, unknown>>(await s.request('GET', '/api/cluster/connector/detail?connector_name=rq-detail'));
    assert.deepEqual(Object.keys(data).sort(), ['last_msg', 'last_send_time', 'send_fail_total', 'send_success_total']);
    assert.equal(data.send_success_total, 0);
    assert.equal(typeof data.last_send_time, 'number');
    assertError(await s.request('GET', '/api/cluster/connector/detail?connector_name=rq-nothing'), 'NOT_FOUND');
    assertError(await s.request('GET', '/api/cluster/connector/detail'), 'VALIDATION_FAILED', [{ path: 'query.connector_name', rule: 'is required' }]);
  });

  test('delete: success envelope, gone from the list; again: 404', async () => {
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-del')));
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-keep')));
    assert.equal(assertOk<string>(await s.request('POST', '/api/cluster/connector/delete', { connector_name: 'rq-del' })), 'success');
    assert.equal((await list('connector_name=rq-del')).total_count, 0);
    assert.equal((await list('connector_name=rq-keep')).total_count, 1);
    const again = await s.request('POST', '/api/cluster/connector/delete', { connector_name: 'rq-del' });
    assert.equal(assertRobustError(again, 404).code, 1005);
  });

  test('delete honours the tenant', async () => {
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-t', { tenant: 'ta' })));
    assertOk(await s.request('POST', '/api/cluster/connector/create', createBody('rq-t', { tenant: 'tb' })));
    assertOk(await s.request('POST', '/api/cluster/connector/delete', { tenant: 'ta', connector_name: 'rq-t' }));
    assert.deepEqual((await list('connector_name=rq-t')).data.map((i) => i.tenant), ['tb']);
    assertError(await s.request('POST', '/api/cluster/connector/delete', { connector_name: 'rq-t' }), 'NOT_FOUND');
  });
});
