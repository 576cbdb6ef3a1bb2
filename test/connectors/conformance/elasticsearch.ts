// The Elasticsearch target: the harness's OpenSearch node behind its authenticating proxy, Basic
// credentials. The index is created first with `payload.n` mapped as a long, so a record whose
// JSON payload has `"n": "not a number"` is refused by the server for that document alone
// (mapper_parsing_exception). What arrived is read back from the node: a refresh, then the `_id`
// of every document (the `_id` is the record id, so a redelivery cannot show twice: it overwrites).
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

const INDEX = 'conformance';

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('opensearch');
    const e = svc.env;
    const node = e.SLUICE_TEST_OPENSEARCH_DIRECT_URL as string;
    await call(`${node}/${INDEX}`, 'PUT', { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { payload: { properties: { n: { type: 'long' } } } } } });
    const config = { url: e.SLUICE_TEST_OPENSEARCH_URL, index: INDEX, auth_type: 'basic', username: e.SLUICE_TEST_OPENSEARCH_USER, password: e.SLUICE_TEST_OPENSEARCH_PASSWORD, timeout_secs: 10 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (HTTP 401 from the authenticating front)' },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { payload: Buffer.from('{"n":"not a number"}'), means: 'a payload.n that is not a number where the index maps it as long (mapper_parsing_exception for that document)' },
      async readIds() {
        await call(`${node}/${INDEX}/_refresh`, 'POST');
        const found = (await call(`${node}/${INDEX}/_search`, 'POST', { size: 10_000, _source: false, query: { match_all: {} } })) as { hits: { hits: { _id: string }[] } };
        return found.hits.hits.map((h) => h._id);
      },
      kill: () => svc.kill(),
      start: () => svc.start(),
      close: () => svc.stop(),
    };
  },
};
