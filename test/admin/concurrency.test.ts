// Parallel requests against one real server: creates of one name race to exactly one winner,
// distinct names all land, optimistic revisions let exactly one concurrent update through, and
// updates without a revision all survive, whatever field each changes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SqliteDefinitionStore } from '../../src/metadata/sqlite-store.js';
import { assertError, startTestServer, type TestServer, webhookBody } from '../helpers/server.js';

const N = 50;
let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.cleanup());

interface Busy {
  description: string;
  topic_filter: string;
  desired_state: string;
  revision: number;
  config: { headers?: Record<string, string> };
  failure_strategy: { strategy: string };
}

function countBy<T>(xs: T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

describe('concurrency', () => {
  test(`${N} parallel creates of one name: exactly one 201, the rest 409`, async () => {
    const results = await Promise.all(Array.from({ length: N }, (_, i) => s.request('POST', '/api/v1/connectors', webhookBody('same-name', { description: `attempt ${i}` }))));
    const statuses = countBy(results.map((r) => r.status));
    assert.deepEqual([...statuses.entries()].sort(), [[201, 1], [409, N - 1]]);
    for (const r of results.filter((x) => x.status === 409)) assertError(r, 'CONFLICT');
    const winner = results.find((r) => r.status === 201);
    const got = await s.request<{ description: string; revision: number }>('GET', '/api/v1/connectors/same-name');
    assert.equal(got.body.description, (winner?.body as { description: string }).description, 'the stored one is the winner');
    assert.equal(got.body.revision, 1);
  });

  test(`${N} parallel RobustMQ creates of one name: exactly one code 0`, async () => {
    const results = await Promise.all(Array.from({ length: N }, () => s.request<{ code: number }>('POST', '/api/cluster/connector/create', { connector_name: 'rq-same', connector_type: 'webhook', topic_name: 'a', config: '{"url":"http://x"}' })));
    assert.equal(results.filter((r) => r.status === 200 && r.body.code === 0).length, 1);
    assert.equal(results.filter((r) => r.status === 409 && r.body.code === 1006).length, N - 1);
  });

  test(`${N} distinct names in parallel: all 201 and all listed`, async () => {
    const names = Array.from({ length: N }, (_, i) => `par-${String(i).padStart(2, '0')}`);
    const results = await Promise.all(names.map((n) => s.request('POST', '/api/v1/connectors', webhookBody(n))));
    assert.deepEqual(results.map((r) => r.status), names.map(() => 201));
    const list = await s.request<{ items: { name: string }[]; total: number }>('GET', '/api/v1/connectors?name=par-&limit=1000');
    assert.equal(list.body.total, N);
    assert.deepEqual(list.body.items.map((i) => i.name), names);
    const store = new SqliteDefinitionStore(s.dbPath);
    try {
      assert.equal((await store.list({ nameContains: 'par-', limit: 1000, page: 1, sortField: 'name', sortDir: 'asc' })).total, N);
    } finally {
      await store.close();
    }
  });

  test(`${N} parallel PATCHes with the same expected revision: exactly one wins`, async () => {
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('optimistic'))).status, 201);
    const results = await Promise.all(Array.from({ length: N }, (_, i) => s.request('PATCH', '/api/v1/connectors/optimistic', { description: `writer ${i}`, revision: 1 })));
    assert.deepEqual([...countBy(results.map((r) => r.status)).entries()].sort(), [[200, 1], [409, N - 1]]);
    const got = await s.request<{ revision: number; description: string }>('GET', '/api/v1/connectors/optimistic');
    assert.equal(got.body.revision, 2);
    const winner = results.find((r) => r.status === 200)?.body as { description: string };
    assert.equal(got.body.description, winner.description);
  });

  test(`${N} parallel PATCHes of different fields without a revision: every one applied`, async () => {
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('busy'))).status, 201);
    // each re-reads and re-applies itself on a concurrent change, so none overwrites another
    const changes: Record<string, unknown>[] = Array.from({ length: N }, (_, i) => ({ config: { headers: { [`X-H-${i}`]: `v${i}` } } }));
    changes[0] = { description: 'many writers' };
    changes[1] = { topic_filter: 'other/#' };
    changes[2] = { failure_strategy: { strategy: 'discard_after_retry' } };
    changes[3] = { desired_state: 'paused' };
    const results = await Promise.all(changes.map((c) => s.request<Busy>('PATCH', '/api/v1/connectors/busy', c)));
    assert.deepEqual(results.filter((r) => r.status !== 200).map((r) => r.text), []);
    const v = (await s.request<Busy>('GET', '/api/v1/connectors/busy')).body;
    assert.equal(v.revision, N + 1);
    assert.deepEqual([v.description, v.topic_filter, v.failure_strategy.strategy, v.desired_state], ['many writers', 'other/#', 'discard_after_retry', 'paused']);
    const expectedHeaders = Object.fromEntries(Array.from({ length: N - 4 }, (_, k) => [`X-H-${k + 4}`, `v${k + 4}`]));
    assert.deepEqual(v.config.headers, expectedHeaders);
  });

  test(`${N} parallel deletes of one connector: exactly one 204`, async () => {
    assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('delete-race'))).status, 201);
    const results = await Promise.all(Array.from({ length: N }, () => s.request('DELETE', '/api/v1/connectors/delete-race')));
    assert.deepEqual([...countBy(results.map((r) => r.status)).entries()].sort(), [[204, 1], [404, N - 1]]);
  });
});
