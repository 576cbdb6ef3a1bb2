// /api/v1/connector-types (each type with its JSON Schema), config validation without storing,
// and /openapi.json, over real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectorTypes } from '../../src/metadata/registry.js';
import { assertError, startTestServer, type TestServer } from '../helpers/server.js';
import { NO_SUCH_TYPE, typeNames, secretFields } from '../helpers/type-fixtures.js';

// file references are allowed only under SLUICE_SECRET_DIR (src/metadata/reference-policy.ts)
process.env.SLUICE_SECRET_DIR = '/etc/sluice';

interface TypeInfo {
  name: string;
  title: string;
  description: string;
  secret_fields: string[];
  runtime_available: boolean;
  schema: { type: string; properties: Record<string, Record<string, unknown>>; required?: string[]; additionalProperties?: boolean };
}
interface ValidateAnswer {
  valid: boolean;
  probed: boolean;
  config: Record<string, unknown>;
}


let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.cleanup());

describe('GET /api/v1/connector-types', () => {
  test('lists every registered type, each with its JSON Schema and its secret fields', async () => {
    const r = await s.request<{ items: TypeInfo[] }>('GET', '/api/v1/connector-types');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((t) => t.name), typeNames());
    for (const t of r.body.items) {
      const registered = connectorTypes().find((x) => x.name === t.name);
      assert.ok(registered);
      assert.equal(t.title, registered.title);
      assert.ok(t.description.length > 0);
      assert.equal(typeof t.runtime_available, 'boolean');
      assert.equal(t.schema.type, 'object');
      assert.equal(t.schema.additionalProperties, false);
      assert.deepEqual(Object.keys(t.schema.properties), Object.keys(registered.schema.properties), t.name);
      assert.deepEqual([...t.secret_fields].sort(), secretFields(registered).sort(), t.name);
      for (const f of t.secret_fields) assert.equal(t.schema.properties[f]?.writeOnly, true, `${t.name}.${f} is writeOnly`);
      for (const [name, prop] of Object.entries(t.schema.properties)) assert.equal(typeof prop.description, 'string', `${t.name}.${name} has a description`);
    }
    const kafka = r.body.items[0];
    assert.deepEqual(kafka?.schema.required?.includes('bootstrap_servers'), true);
    assert.equal(kafka?.schema.properties.bootstrap_servers?.['x-rule'], 'expected host:port[,host:port]');
  });

  test('one type, case-insensitive; unknown: 400 UNKNOWN_CONNECTOR_TYPE listing the known ones', async () => {
    const r = await s.request<TypeInfo>('GET', '/api/v1/connector-types/InfluxDB');
    assert.equal(r.status, 200);
    assert.equal(r.body.name, 'influxdb');
    assertError(await s.request('GET', `/api/v1/connector-types/${NO_SUCH_TYPE}`), 'UNKNOWN_CONNECTOR_TYPE', [
      { path: 'type', rule: `unknown connector type "${NO_SUCH_TYPE}"; known types: ${typeNames().join(', ')}` },
    ]);
  });
});

describe('POST /api/v1/connector-types/:type/validate', () => {
  test('a valid config: defaults filled in, secrets redacted, nothing probed, nothing stored', async () => {
    const r = await s.request<ValidateAnswer>('POST', '/api/v1/connector-types/kafka/validate', {
      config: { bootstrap_servers: '[::1]:9092', topic: 't', sasl_mechanism: 'plain', sasl_username: 'u', sasl_password: 'validate-pw-123', tls_key: '${file:/etc/sluice/key.pem}' },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.valid, true);
    assert.equal(r.body.probed, false);
    assert.equal(r.body.config.acks, 'all');
    assert.equal(r.body.config.message_timeout_ms, 30_000);
    assert.equal(r.body.config.sasl_password, '******');
    assert.equal(r.body.config.tls_key, '******');
    assert.ok(!r.text.includes('validate-pw-123'));
    assert.ok(!r.text.includes('/etc/sluice/key.pem'));
    assert.equal((await s.request<{ total: number }>('GET', '/api/v1/connectors')).body.total, 0);
  });

  test('config as a JSON string; type case-insensitive', async () => {
    const r = await s.request<ValidateAnswer>('POST', '/api/v1/connector-types/WEBHOOK/validate', { config: '{"url":"http://x"}' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.config, { url: 'http://x', method: 'post', headers: {}, timeout_ms: 5000, auth_type: 'none' });
  });

  test('an invalid config: 400 with every field and rule', async () => {
    assertError(await s.request('POST', '/api/v1/connector-types/influxdb/validate', { config: { server: 'http://x', measurement: 'm', version: 'v1' } }), 'VALIDATION_FAILED', [
      { path: 'config.database', rule: 'is required when version is v1' },
    ]);
    assertError(await s.request('POST', '/api/v1/connector-types/kafka/validate', { config: { bootstrap_servers: 'kafka-1', topic: 'a b', acks: 2 } }), 'VALIDATION_FAILED', [
      { path: 'config.bootstrap_servers', rule: 'expected host:port[,host:port]' },
      { path: 'config.topic', rule: 'expected a Kafka topic name: 1–249 of A-Z a-z 0-9 . _ -' },
      { path: 'config.acks', rule: 'must be one of: 0, 1, all, -1' },
    ]);
    assertError(await s.request('POST', '/api/v1/connector-types/webhook/validate', { config: { url: 'http://x', auth_type: 'basic', extra: 1 } }), 'VALIDATION_FAILED', [
      { path: 'config.extra', rule: 'is not a known field' },
    ]);
  });

  test('config missing, not JSON, or not an object; unknown body fields', async () => {
    assertError(await s.request('POST', '/api/v1/connector-types/file/validate', {}), 'VALIDATION_FAILED', [{ path: 'config', rule: 'is required' }]);
    const notJson = assertError(await s.request('POST', '/api/v1/connector-types/file/validate', { config: 'local_file_path=/x' }), 'INVALID_JSON');
    assert.equal(notJson.fields?.[0]?.path, 'config');
    assertError(await s.request('POST', '/api/v1/connector-types/file/validate', { config: '[1]' }), 'VALIDATION_FAILED', [{ path: 'config', rule: 'must be a JSON object' }]);
    assertError(await s.request('POST', '/api/v1/connector-types/file/validate', { config: {}, probe: 'yes' }), 'VALIDATION_FAILED', [{ path: 'probe', rule: 'must be a boolean' }]);
    assertError(await s.request('POST', '/api/v1/connector-types/file/validate', { config: {}, dry: true }), 'VALIDATION_FAILED', [{ path: 'dry', rule: 'is not a known field' }]);
    assertError(await s.request('POST', '/api/v1/connector-types/nosuch/validate', { config: {} }), 'UNKNOWN_CONNECTOR_TYPE');
  });
});

describe('GET /openapi.json', () => {
  interface OpenApi {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string; in: string }[] }>>;
    components: { schemas: Record<string, { type?: string; properties?: Record<string, unknown> }> };
  }
  let doc: OpenApi;
  before(async () => {
    const r = await s.request<OpenApi>('GET', '/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    doc = r.body;
  });

  test('is an OpenAPI 3 document', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.equal(typeof doc.info.title, 'string');
    assert.equal(typeof doc.info.version, 'string');
  });

  test('has the /api/v1/connectors paths with their methods', () => {
    assert.deepEqual(Object.keys(doc.paths['/api/v1/connectors'] ?? {}).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(doc.paths['/api/v1/connectors/{name}'] ?? {}).sort(), ['delete', 'get', 'patch', 'put']);
    assert.ok(doc.paths['/api/v1/connectors']?.post?.requestBody, 'POST has a request body schema');
    assert.ok(doc.paths['/api/v1/connectors/{name}']?.get?.parameters?.some((p) => p.name === 'name' && p.in === 'path'));
    for (const p of ['/api/v1/connector-types', '/api/v1/connector-types/{type}/validate', '/api/cluster/connector/list', '/api/cluster/connector/create', '/api/cluster/connector/delete', '/health']) {
      assert.ok(doc.paths[p], `path ${p}`);
    }
  });

  test('has a component schema for each connector type\'s config, the failure strategy and delivery', () => {
    for (const t of connectorTypes()) {
      const c = doc.components.schemas[`config.${t.name}`];
      assert.ok(c, `config.${t.name}`);
      assert.equal(c.type, 'object');
      assert.deepEqual(Object.keys(c.properties ?? {}), Object.keys(t.schema.properties));
    }
    assert.deepEqual(Object.keys(doc.components.schemas.FailureStrategy?.properties ?? {}).sort(), ['backoff', 'max_wait_ms', 'retry_total_times', 'strategy', 'topic_name', 'wait_time_ms']);
    assert.ok(doc.components.schemas.Delivery?.properties?.batch_size);
  });
});
