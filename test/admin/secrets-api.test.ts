// Secret fields over real HTTP: every read shows "******", the real value never appears in any
// answer, "******" written back keeps the stored value (checked in the store itself), and
// ${env:…} / ${file:…} references are stored as written.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ConnectorDefinition } from '../../src/metadata/definition.js';
import { connectorTypes } from '../../src/metadata/registry.js';
import { SqliteDefinitionStore } from '../../src/metadata/sqlite-store.js';
import { assertError, type HttpResult, startTestServer, type TestServer } from '../helpers/server.js';
import { configWithSecrets, offline, secretFields } from '../helpers/type-fixtures.js';

const R = randomBytes(4).toString('hex');
// file references are allowed only under SLUICE_SECRET_DIR (src/metadata/reference-policy.ts)
process.env.SLUICE_SECRET_DIR = '/run/secrets';
const secret = (what: string) => `S3CRET-${what}-${R}`;

/** A config per type that has secret fields, each set to a unique value (from the schema's examples). */
const CASES: Record<string, { config: Record<string, unknown>; secrets: string[] }> = Object.fromEntries(
  connectorTypes().filter((t) => secretFields(t).length > 0).map((t) => {
    const c = configWithSecrets(t, (f) => secret(`${t.name}-${f}`));
    return [t.name, { config: offline(t, c.config), secrets: c.secrets }];
  }),
);
const ALL_SECRETS = Object.values(CASES).flatMap((c) => c.secrets.map((f) => c.config[f] as string));

let s: TestServer;
let store: SqliteDefinitionStore;
/** every answer the server gave in this file, checked at the end for leaks */
const answers: HttpResult[] = [];

async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
  const r = await s.request<T>(method, path, body);
  answers.push(r);
  return r;
}

function assertNoSecret(r: HttpResult, extra: string[] = []): void {
  for (const v of [...ALL_SECRETS, ...extra]) assert.ok(!r.text.includes(v), `answer leaks ${v}: ${r.text.slice(0, 300)}`);
}

function assertRedacted(config: Record<string, unknown>, fields: string[]): void {
  for (const f of fields) assert.equal(config[f], '******', f);
}

async function stored(name: string, tenant = 'default'): Promise<ConnectorDefinition> {
  const d = await store.get(tenant, name);
  assert.ok(d, `${tenant}/${name} in the store`);
  return d;
}

before(async () => {
  s = await startTestServer();
  // a second store instance on the same file: what the server really wrote
  store = new SqliteDefinitionStore(s.dbPath);
  for (const [type, c] of Object.entries(CASES)) {
    const r = await call<{ config: Record<string, unknown> }>('POST', '/api/v1/connectors', { name: `sec-${type}`, type, topic_filter: `sec/${type}/#`, config: c.config });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => {
  await store.close();
  await s.cleanup();
});

describe('secrets over HTTP', () => {
  test('the store holds the real values', async () => {
    for (const [type, c] of Object.entries(CASES)) {
      const d = await stored(`sec-${type}`);
      for (const f of c.secrets) assert.equal(d.config[f], c.config[f], `${type}.${f}`);
    }
  });

  test('the create answer redacts', async () => {
    const r = await call<{ config: Record<string, unknown> }>('POST', '/api/v1/connectors', { name: 'sec-create', type: 'webhook', topic_filter: 'a', config: CASES.webhook?.config });
    assert.equal(r.status, 201);
    assertRedacted(r.body.config, ['password', 'bearer_token']);
    assert.equal(r.body.config.username, CASES.webhook?.config.username, 'non-secret fields are shown');
    assertNoSecret(r);
  });

  test('v1 GET and list redact every secret field of every type', async () => {
    const list = await call<{ items: { name: string; type: string; config: Record<string, unknown> }[] }>('GET', '/api/v1/connectors?name=sec-');
    assert.equal(list.status, 200);
    assertNoSecret(list);
    for (const [type, c] of Object.entries(CASES)) {
      const g = await call<{ config: Record<string, unknown> }>('GET', `/api/v1/connectors/sec-${type}`);
      assert.equal(g.status, 200);
      assertRedacted(g.body.config, c.secrets);
      assertNoSecret(g);
      const item = list.body.items.find((i) => i.name === `sec-${type}`);
      assert.ok(item);
      assertRedacted(item.config, c.secrets);
    }
  });

  test('the RobustMQ list redacts inside its config string', async () => {
    const r = await call<{ data: { data: { connector_name: string; config: string }[] } }>('GET', '/api/cluster/connector/list?connector_name=sec-');
    assert.equal(r.status, 200);
    assertNoSecret(r);
    for (const [type, c] of Object.entries(CASES)) {
      const item = r.body.data.data.find((i) => i.connector_name === `sec-${type}`);
      assert.ok(item, type);
      assertRedacted(JSON.parse(item.config) as Record<string, unknown>, c.secrets);
    }
  });

  test('validate redacts', async () => {
    for (const [type, c] of Object.entries(CASES)) {
      const r = await call<{ config: Record<string, unknown> }>('POST', `/api/v1/connector-types/${type}/validate`, { config: c.config });
      assert.equal(r.status, 200, r.text);
      assertRedacted(r.body.config, c.secrets);
      assertNoSecret(r);
    }
  });

  test('PUT with "******" keeps the stored secrets; the answer redacts', async () => {
    for (const [type, c] of Object.entries(CASES)) {
      const name = `sec-${type}`;
      const before = await stored(name);
      const config = { ...c.config, ...Object.fromEntries(c.secrets.map((f) => [f, '******'])) };
      const r = await call<{ config: Record<string, unknown>; revision: number; topic_filter: string }>('PUT', `/api/v1/connectors/${name}`, { type, topic_filter: `sec/${type}/put`, config });
      assert.equal(r.status, 200, r.text);
      assertRedacted(r.body.config, c.secrets);
      assertNoSecret(r);
      const after = await stored(name);
      assert.equal(after.revision, before.revision + 1);
      assert.equal(after.topic_filter, `sec/${type}/put`);
      for (const f of c.secrets) assert.equal(after.config[f], c.config[f], `${type}.${f} kept`);
    }
  });

  test('GET → PUT the answer back unchanged (the documented round trip) keeps the secrets', async () => {
    const g = await call<Record<string, unknown>>('GET', '/api/v1/connectors/sec-kafka');
    const { type, topic_filter, config, failure_strategy, delivery, description, desired_state } = g.body;
    const r = await call('PUT', '/api/v1/connectors/sec-kafka', { type, topic_filter, config, failure_strategy, delivery, description, desired_state });
    assert.equal(r.status, 200, r.text);
    const d = await stored('sec-kafka');
    assert.equal(d.config.sasl_password, CASES.kafka?.config.sasl_password);
    assert.equal(d.config.tls_key, CASES.kafka?.config.tls_key);
  });

  test('PATCH of another field keeps the secrets; PATCH with "******" keeps them; a new value replaces', async () => {
    const r1 = await call<{ config: Record<string, unknown> }>('PATCH', '/api/v1/connectors/sec-influxdb', { config: { measurement: 'm2' } });
    assert.equal(r1.status, 200, r1.text);
    assertRedacted(r1.body.config, ['token', 'password']);
    assertNoSecret(r1);
    const r2 = await call<{ config: Record<string, unknown> }>('PATCH', '/api/v1/connectors/sec-influxdb', { config: { token: '******', password: '******' } });
    assert.equal(r2.status, 200, r2.text);
    assertNoSecret(r2);
    let d = await stored('sec-influxdb');
    assert.equal(d.config.measurement, 'm2');
    assert.equal(d.config.token, CASES.influxdb?.config.token);
    assert.equal(d.config.password, CASES.influxdb?.config.password);

    const fresh = secret('influx-new');
    const r3 = await call('PATCH', '/api/v1/connectors/sec-influxdb', { config: { token: fresh } });
    assert.equal(r3.status, 200, r3.text);
    assertNoSecret(r3, [fresh]);
    d = await stored('sec-influxdb');
    assert.equal(d.config.token, fresh);
    assert.equal(d.config.password, CASES.influxdb?.config.password);
  });

  test('PATCH null removes a secret', async () => {
    const r = await call<{ config: Record<string, unknown> }>('PATCH', '/api/v1/connectors/sec-webhook', { config: { bearer_token: null } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.config.bearer_token, undefined);
    const d = await stored('sec-webhook');
    assert.equal(d.config.bearer_token, undefined);
    assert.equal(d.config.password, CASES.webhook?.config.password);
  });

  test('"******" with nothing stored counts as not given (the rule needing it fails)', async () => {
    const r = await call('POST', '/api/v1/connectors', { name: 'sec-none', type: 'webhook', topic_filter: 'a', config: { url: 'http://x', auth_type: 'bearer', bearer_token: '******' } });
    assertError(r, 'VALIDATION_FAILED', [{ path: 'config.bearer_token', rule: 'is required when auth_type is bearer' }]);
  });

  test('${env:NAME} and ${file:/path} are stored as written and shown as ******', async () => {
    const envRef = `\${env:SLUICE_SECRET_TEST_KAFKA_PW_${R}}`;
    const fileRef = `\${file:/run/secrets/sluice-${R}/client.key}`;
    const r = await call<{ config: Record<string, unknown> }>('POST', '/api/v1/connectors', {
      name: 'sec-refs', type: 'kafka', topic_filter: 'a', desired_state: 'paused',
      config: { bootstrap_servers: 'k:9092', topic: 't', sasl_mechanism: 'plain', sasl_username: 'u', sasl_password: envRef, tls_key: fileRef },
    });
    assert.equal(r.status, 201, r.text);
    assertRedacted(r.body.config, ['sasl_password', 'tls_key']);
    const g = await call('GET', '/api/v1/connectors/sec-refs');
    for (const a of [r, g]) {
      assert.ok(!a.text.includes(envRef) && !a.text.includes(`SLUICE_SECRET_TEST_KAFKA_PW_${R}`), 'env reference not shown');
      assert.ok(!a.text.includes(`sluice-${R}`), 'file reference not shown');
    }
    const d = await stored('sec-refs');
    assert.equal(d.config.sasl_password, envRef);
    assert.equal(d.config.tls_key, fileRef);
  });

  test('the RobustMQ create stores secrets and the list redacts them', async () => {
    const pw = secret('rq-pw');
    const r = await call('POST', '/api/cluster/connector/create', { connector_name: 'sec-rq', connector_type: 'clickhouse', topic_name: 'a', config: JSON.stringify({ url: 'http://ch:8123', database: 'd', table: 't', password: pw }) });
    assert.equal(r.status, 200, r.text);
    assertNoSecret(r, [pw]);
    assert.equal((await stored('sec-rq')).config.password, pw);
    const l = await call<{ data: { data: { config: string }[] } }>('GET', '/api/cluster/connector/list?connector_name=sec-rq');
    assertNoSecret(l, [pw]);
    assert.equal((JSON.parse(l.body.data.data[0]?.config ?? '{}') as Record<string, unknown>).password, '******');
  });

  test('error answers do not echo secrets (invalid config, malformed config string)', async () => {
    const pw = secret('err-pw');
    const bad = await call('PUT', '/api/v1/connectors/sec-clickhouse', { type: 'clickhouse', topic_filter: 'a', config: { url: 'ftp://x', database: 'd', table: 't', password: pw } });
    assertError(bad, 'VALIDATION_FAILED', [{ path: 'config.url', rule: 'expected an http:// or https:// URL' }]);
    assertNoSecret(bad, [pw]);
    const malformed = await call('POST', '/api/cluster/connector/create', { connector_name: 'sec-bad', connector_type: 'clickhouse', topic_name: 'a', config: `{"url":"http://ch:8123","database":"d","table":"t","password":${pw}}` });
    assertError(malformed, 'INVALID_JSON');
    assertNoSecret(malformed, [pw]);
    const tooLong = await call('POST', '/api/v1/connectors', { name: 'sec-long', type: 'clickhouse', topic_filter: 'a', config: { url: 'http://ch:8123', database: 'd', table: 't', password: `${pw}${'x'.repeat(70_000)}` } });
    assertError(tooLong, 'VALIDATION_FAILED', [{ path: 'config.password', rule: 'must be at most 65536 characters' }]);
    assertNoSecret(tooLong, [pw]);
    // the stored secret is untouched by the refused PUT
    assert.equal((await stored('sec-clickhouse')).config.password, CASES.clickhouse?.config.password);
  });

  test('no answer in this file carried a secret', () => {
    assert.ok(answers.length > 20);
    for (const a of answers) assertNoSecret(a);
  });
});
