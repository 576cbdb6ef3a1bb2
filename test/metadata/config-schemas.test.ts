// One config schema per connector type (src/metadata/configs/*.ts) checked through checkConfig:
// every rule has a passing and a failing case; errors are asserted exactly (path + rule).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type FieldError, SluiceError } from '../../src/errors.js';
import { checkConfig } from '../../src/metadata/config-validation.js';
import { buildDefinition } from '../../src/metadata/definition.js';
import { connectorTypes, parseConnectorType } from '../../src/metadata/registry.js';
import { configWithSecrets, exampleConfigs, NO_SUCH_TYPE, typeNames } from '../helpers/type-fixtures.js';

type Cfg = Record<string, unknown>;

/** the smallest valid config of each type: its schema's first example */
const BASE: Record<string, Cfg> = exampleConfigs();

function ok(type: string, extra: Cfg = {}, base: Cfg = BASE[type] ?? {}): Cfg {
  const r = checkConfig(parseConnectorType(type), { ...base, ...extra });
  assert.deepEqual(r.errors, [], `${type} ${JSON.stringify(extra)} should pass`);
  assert.ok(r.config);
  return r.config;
}

function bad(type: string, extra: Cfg, base: Cfg = BASE[type] ?? {}): FieldError[] {
  const r = checkConfig(parseConnectorType(type), { ...base, ...extra });
  assert.equal(r.config, undefined, `${type} ${JSON.stringify(extra).slice(0, 200)} should be refused`);
  assert.ok(r.errors.length > 0);
  return r.errors;
}

function only(path: string, rule: string): FieldError[] {
  return [{ path, rule }];
}

describe('registry', () => {
  test('every registered type has a unique lower-case name, a schema file and a sink folder of the one layout', () => {
    const names = connectorTypes().map((t) => t.name);
    assert.equal(new Set(names).size, names.length);
    for (const t of connectorTypes()) {
      assert.match(t.name, /^[a-z][a-z0-9_]*$/);
      assert.ok(existsSync(`src/metadata/configs/${t.name}.ts`), `${t.name}: src/metadata/configs/${t.name}.ts`);
      for (const f of ['index.ts', 'sink.ts', 'mapping.ts', 'errors.ts']) assert.ok(existsSync(`src/connectors/${t.name}/${f}`), `${t.name}: src/connectors/${t.name}/${f}`);
    }
  });

  test('parseConnectorType is case-insensitive and trims', () => {
    assert.equal(parseConnectorType('KAFKA').name, 'kafka');
    assert.equal(parseConnectorType(' ClickHouse ').name, 'clickhouse');
  });

  test('unknown or missing type: UNKNOWN_CONNECTOR_TYPE listing the known types', () => {
    const known = typeNames().join(', ');
    assert.throws(() => parseConnectorType(NO_SUCH_TYPE), (e: unknown) => e instanceof SluiceError && e.code === 'UNKNOWN_CONNECTOR_TYPE' && e.status === 400
      && e.fields[0]?.path === 'connector_type' && e.fields[0].rule === `unknown connector type "${NO_SUCH_TYPE}"; known types: ${known}`);
    for (const v of [undefined, null, '', '  ', 5, {}]) {
      assert.throws(() => parseConnectorType(v, 'type'), (e: unknown) => e instanceof SluiceError && e.code === 'UNKNOWN_CONNECTOR_TYPE' && e.fields[0]?.rule === `is required: one of ${known}`);
    }
  });

  test('a huge unknown type name is shortened in the message', () => {
    assert.throws(() => parseConnectorType('x'.repeat(1_000_000)), (e: unknown) => e instanceof SluiceError && e.message.length < 300);
  });
});

describe('kafka config', () => {
  test('required fields', () => {
    assert.deepEqual(bad('kafka', {}, {}), [{ path: 'config.bootstrap_servers', rule: 'is required' }, { path: 'config.topic', rule: 'is required' }]);
  });

  test('bootstrap_servers: hostnames, IPv4 and IPv6 with ports pass', () => {
    for (const v of ['kafka-1:9092,kafka-2.example.com:9093', '[::1]:9092', '10.0.0.1:9092', '[2001:db8::1]:9093,kafka:9092', 'k:1', 'k:65535', ' a:1 , b:2 ']) {
      assert.equal(ok('kafka', { bootstrap_servers: v }).bootstrap_servers, v);
    }
  });

  test('bootstrap_servers: a host without port (and other malformed lists) fail with the documented message', () => {
    for (const v of ['kafka-1', 'kafka-1:', ':9092', 'kafka-1:9092,', 'kafka-1:9092;kafka-2:9092', 'kafka 1:9092', 'http://kafka:9092', '-kafka:9092', '[::1]', 'k:0', 'k:65536', 'k:99999', 'k:09092']) {
      assert.deepEqual(bad('kafka', { bootstrap_servers: v }), only('config.bootstrap_servers', 'expected host:port[,host:port]'), v);
    }
    assert.throws(
      () => buildDefinition({ name: 'k', type: 'kafka', topic_filter: 'a/#', config: { bootstrap_servers: 'kafka-1', topic: 't' } }),
      (e: unknown) => e instanceof SluiceError && e.message === 'config.bootstrap_servers: expected host:port[,host:port]',
    );
  });

  test('topic: Kafka name pattern and length', () => {
    ok('kafka', { topic: 'a.b_c-D9' });
    ok('kafka', { topic: 'x'.repeat(249) });
    assert.deepEqual(bad('kafka', { topic: 'a b' }), only('config.topic', 'expected a Kafka topic name: 1–249 of A-Z a-z 0-9 . _ -'));
    assert.deepEqual(bad('kafka', { topic: 'x'.repeat(250) }), only('config.topic', 'must be at most 249 characters'));
    assert.deepEqual(bad('kafka', { topic: '' }).find((e) => e.path === 'config.topic')?.rule, 'must not be empty');
  });

  test('enums', () => {
    ok('kafka', { acks: '1', value_format: 'envelope', sasl_mechanism: 'none' });
    assert.deepEqual(bad('kafka', { acks: '2' }), only('config.acks', 'must be one of: 0, 1, all, -1'));
    assert.deepEqual(bad('kafka', { acks: 1 }), only('config.acks', 'must be one of: 0, 1, all, -1'));
    assert.deepEqual(bad('kafka', { value_format: 'avro' }), only('config.value_format', 'must be one of: raw, envelope'));
    assert.deepEqual(bad('kafka', { sasl_mechanism: 'gssapi' }), only('config.sasl_mechanism', 'must be one of: none, plain, scram-sha-256, scram-sha-512'));
    assert.deepEqual(bad('kafka', { compression_type: 'brotli' }), only('config.compression_type', 'must be one of: none, gzip, snappy, lz4, zstd'));
  });

  test('timeouts: ranges', () => {
    ok('kafka', { message_timeout_ms: 1000, connection_timeout_ms: 100, cleanup_timeout_secs: 0 });
    ok('kafka', { message_timeout_ms: 300_000, connection_timeout_ms: 300_000, cleanup_timeout_secs: 300 });
    assert.deepEqual(bad('kafka', { message_timeout_ms: 999 }), only('config.message_timeout_ms', 'must be ≥ 1000'));
    assert.deepEqual(bad('kafka', { message_timeout_ms: 300_001 }), only('config.message_timeout_ms', 'must be ≤ 300000'));
    assert.deepEqual(bad('kafka', { connection_timeout_ms: 99 }), only('config.connection_timeout_ms', 'must be ≥ 100'));
    assert.deepEqual(bad('kafka', { cleanup_timeout_secs: -1 }), only('config.cleanup_timeout_secs', 'must be ≥ 0'));
    assert.deepEqual(bad('kafka', { cleanup_timeout_secs: 301 }), only('config.cleanup_timeout_secs', 'must be ≤ 300'));
  });

  test('compression: every codec RobustMQ names has one installed', () => {
    for (const c of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) ok('kafka', { compression_type: c });
  });

  test("RobustMQ's producer fields: acks -1, batch_size, linger_ms and retries within RobustMQ's ranges", () => {
    ok('kafka', { acks: '-1', idempotent: true, batch_size: 1_048_576, linger_ms: 60_000, retries: 100 });
    assert.deepEqual(bad('kafka', { batch_size: 0 }), only('config.batch_size', 'must be ≥ 1'));
    assert.deepEqual(bad('kafka', { linger_ms: 60_001 }), only('config.linger_ms', 'must be ≤ 60000'));
    assert.deepEqual(bad('kafka', { retries: 101 }), only('config.retries', 'must be ≤ 100'));
    assert.deepEqual(bad('kafka', { acks: '2' }), only('config.acks', 'must be one of: 0, 1, all, -1'));
  });

  test('sasl: a mechanism needs username and password', () => {
    ok('kafka', { sasl_mechanism: 'scram-sha-512', sasl_username: 'u', sasl_password: 'p' });
    assert.deepEqual(bad('kafka', { sasl_mechanism: 'plain' }), only('config.sasl_username', 'is required when sasl_mechanism is plain'));
    assert.deepEqual(bad('kafka', { sasl_mechanism: 'plain', sasl_username: 'u' }), only('config.sasl_password', 'is required when sasl_mechanism is plain'));
    assert.deepEqual(bad('kafka', { sasl_mechanism: 'scram-sha-256', sasl_username: 'u', sasl_password: '' }), only('config.sasl_password', 'is required when sasl_mechanism is scram-sha-256'));
  });

  test('idempotent producer needs acks=all', () => {
    ok('kafka', { idempotent: true });
    assert.deepEqual(bad('kafka', { idempotent: true, acks: '1' }), only('config.acks', 'must be all (or -1) when idempotent is true'));
  });

  test('defaults are filled in', () => {
    assert.deepEqual(ok('kafka'), {
      bootstrap_servers: 'kafka-1:9092', topic: 'mqtt_messages', key: '', value_format: 'raw', acks: 'all', compression_type: 'none', idempotent: false,
      client_id: 'sluice', message_timeout_ms: 30_000, connection_timeout_ms: 10_000, batch_size: 16_384, linger_ms: 5, retries: 3, cleanup_timeout_secs: 10, sasl_mechanism: 'none',
      enable_tls: false, tls_insecure_skip_verify: false,
    });
  });

  test('given values win over defaults', () => {
    const c = ok('kafka', { acks: '0', client_id: 'me', enable_tls: true, tls_ca: '${file:/etc/ca.pem}' });
    assert.equal(c.acks, '0');
    assert.equal(c.client_id, 'me');
    assert.equal(c.enable_tls, true);
    assert.equal(c.tls_ca, '${file:/etc/ca.pem}');
  });
});

describe('clickhouse config', () => {
  test('required fields', () => {
    assert.deepEqual(bad('clickhouse', {}, {}), [
      { path: 'config.url', rule: 'is required' },
      { path: 'config.database', rule: 'is required' },
      { path: 'config.table', rule: 'is required' },
    ]);
  });

  test('url must be http(s)', () => {
    ok('clickhouse', { url: 'https://ch.example.com:8443' });
    assert.deepEqual(bad('clickhouse', { url: 'ftp://ch' }), only('config.url', 'expected an http:// or https:// URL'));
    assert.deepEqual(bad('clickhouse', { url: 'http://a b' }), only('config.url', 'expected an http:// or https:// URL'));
  });

  test('database and table are identifiers (no SQL can be smuggled in)', () => {
    ok('clickhouse', { database: '_db1', table: 'T_2' });
    const rule = 'expected an identifier: a letter or _, then letters, digits or _';
    assert.deepEqual(bad('clickhouse', { database: "mqtt'; DROP TABLE x;--" }), only('config.database', rule));
    assert.deepEqual(bad('clickhouse', { table: '1messages' }), only('config.table', rule));
    assert.deepEqual(bad('clickhouse', { table: 'db.table' }), only('config.table', rule));
  });

  test('ranges: pool_size 1–64, timeout_secs 1–300', () => {
    ok('clickhouse', { pool_size: 1, timeout_secs: 1 });
    ok('clickhouse', { pool_size: 64, timeout_secs: 300 });
    assert.deepEqual(bad('clickhouse', { pool_size: 0 }), only('config.pool_size', 'must be ≥ 1'));
    assert.deepEqual(bad('clickhouse', { pool_size: 65 }), only('config.pool_size', 'must be ≤ 64'));
    assert.deepEqual(bad('clickhouse', { timeout_secs: 0 }), only('config.timeout_secs', 'must be ≥ 1'));
    assert.deepEqual(bad('clickhouse', { timeout_secs: 301 }), only('config.timeout_secs', 'must be ≤ 300'));
  });

  test('payload_format enum', () => {
    ok('clickhouse', { payload_format: 'json' });
    assert.deepEqual(bad('clickhouse', { payload_format: 'csv' }), only('config.payload_format', 'must be one of: raw, json'));
  });

  test('create_table only with payload_format raw', () => {
    assert.equal(ok('clickhouse', { create_table: true }).create_table, true);
    assert.equal(ok('clickhouse', { create_table: true, payload_format: 'raw' }).payload_format, 'raw');
    assert.deepEqual(bad('clickhouse', { create_table: true, payload_format: 'json' }), only('config.create_table', "only works with payload_format raw (a json table's columns are yours to define)"));
  });

  test('defaults are filled in', () => {
    assert.deepEqual(ok('clickhouse'), {
      url: 'http://localhost:8123', database: 'mqtt', table: 'messages', username: 'default', password: '', payload_format: 'raw',
      create_table: false, compression: false, pool_size: 8, timeout_secs: 15,
    });
  });
});

describe('influxdb config', () => {
  const V1 = { server: 'http://localhost:8086', measurement: 'm', version: 'v1' };

  test('required fields', () => {
    assert.deepEqual(bad('influxdb', {}, {}), [{ path: 'config.server', rule: 'is required' }, { path: 'config.measurement', rule: 'is required' }]);
    assert.deepEqual(bad('influxdb', { measurement: '' }), only('config.measurement', 'must not be empty'));
  });

  test('v2 (the default) needs org and bucket', () => {
    const base = { server: 'http://localhost:8086', measurement: 'm' };
    assert.deepEqual(bad('influxdb', {}, base), [
      { path: 'config.org', rule: 'is required when version is v2' },
      { path: 'config.bucket', rule: 'is required when version is v2' },
    ]);
    assert.deepEqual(bad('influxdb', { org: 'o' }, base), only('config.bucket', 'is required when version is v2'));
    assert.deepEqual(bad('influxdb', { bucket: 'b', version: 'v2' }, base), only('config.org', 'is required when version is v2'));
    ok('influxdb', { org: 'o', bucket: 'b', token: 't' }, base);
  });

  test('v1 needs database (and not org/bucket)', () => {
    assert.deepEqual(bad('influxdb', {}, V1), only('config.database', 'is required when version is v1'));
    assert.deepEqual(bad('influxdb', { org: 'o', bucket: 'b' }, V1), only('config.database', 'is required when version is v1'));
    assert.equal(ok('influxdb', { database: 'db', username: 'u', password: 'p' }, V1).database, 'db');
  });

  test('enums: version and precision', () => {
    assert.deepEqual(bad('influxdb', { version: 'v3' }), only('config.version', 'must be one of: v1, v2'));
    ok('influxdb', { precision: 'ns' });
    assert.deepEqual(bad('influxdb', { precision: 'h' }), only('config.precision', 'must be one of: ns, us, ms, s'));
  });

  test('timeout_secs 1–300', () => {
    ok('influxdb', { timeout_secs: 300 });
    assert.deepEqual(bad('influxdb', { timeout_secs: 0 }), only('config.timeout_secs', 'must be ≥ 1'));
  });

  test('tags: keys without whitespace, string values, at most 64', () => {
    assert.deepEqual(ok('influxdb', { tags: { device: '${topic[2]}', site: 'x' } }).tags, { device: '${topic[2]}', site: 'x' });
    assert.deepEqual(bad('influxdb', { tags: { 'bad key': 'x' } }), only('config.tags.bad key', 'is not an allowed key: expected ^[^\\s]{1,256}$'));
    assert.deepEqual(bad('influxdb', { tags: { device: 5 } }), only('config.tags.device', 'must be a string'));
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`t${i}`, 'v']));
    assert.deepEqual(bad('influxdb', { tags: many }), only('config.tags', 'must have at most 64 entries'));
  });

  test('tag_fields: array of non-empty strings', () => {
    ok('influxdb', { tag_fields: ['a', 'b'] });
    assert.deepEqual(bad('influxdb', { tag_fields: ['a', 1] }), only('config.tag_fields[1]', 'must be a string'));
    assert.deepEqual(bad('influxdb', { tag_fields: [''] }), only('config.tag_fields[0]', 'must not be empty'));
    assert.deepEqual(bad('influxdb', { tag_fields: 'a' }), only('config.tag_fields', 'must be an array'));
  });

  test('defaults are filled in', () => {
    assert.deepEqual(ok('influxdb'), {
      server: 'http://localhost:8086', measurement: 'mqtt_data', org: 'acme', bucket: 'sensors', version: 'v2', token: '', database: '',
      username: '', password: '', precision: 'ms', tags: {}, tag_fields: [], timeout_secs: 15,
    });
  });
});

describe('mqtt config', () => {
  test('required fields', () => {
    assert.deepEqual(bad('mqtt', {}, {}), only('config.server', 'is required'));
  });

  test('server: mqtt, mqtts, ws or wss URL, or the Paho forms tcp and ssl', () => {
    for (const s of ['mqtt://h:1883', 'mqtts://h:8883', 'ws://h/mqtt', 'wss://h/mqtt', 'tcp://h:1883', 'ssl://h:8883']) ok('mqtt', { server: s });
    assert.deepEqual(bad('mqtt', { server: 'http://h:1883' }), only('config.server', 'expected an mqtt://, mqtts://, ws://, wss://, tcp:// or ssl:// URL'));
    assert.deepEqual(bad('mqtt', { server: 'h:1883' }), only('config.server', 'expected an mqtt://, mqtts://, ws://, wss://, tcp:// or ssl:// URL'));
  });

  test('client_id_prefix pattern', () => {
    ok('mqtt', { client_id_prefix: 'edge_1.a-b' });
    ok('mqtt', { client_id_prefix: 'robustmq-bridge:edge-01' });
    assert.deepEqual(bad('mqtt', { client_id_prefix: 'a b' }), only('config.client_id_prefix', 'expected A-Z a-z 0-9 _ . : -'));
  });

  test('ranges: keepalive 1–65535, connect timeout 1–300, qos 0–2', () => {
    ok('mqtt', { keepalive_secs: 1, connect_timeout_secs: 1, qos: 0 });
    ok('mqtt', { keepalive_secs: 65535, connect_timeout_secs: 300, qos: 2 });
    assert.deepEqual(bad('mqtt', { keepalive_secs: 0 }), only('config.keepalive_secs', 'must be ≥ 1'));
    assert.deepEqual(bad('mqtt', { keepalive_secs: 65536 }), only('config.keepalive_secs', 'must be ≤ 65535'));
    assert.deepEqual(bad('mqtt', { connect_timeout_secs: 301 }), only('config.connect_timeout_secs', 'must be ≤ 300'));
    assert.deepEqual(bad('mqtt', { qos: 3 }), only('config.qos', 'must be ≤ 2'));
    assert.deepEqual(bad('mqtt', { qos: -1 }), only('config.qos', 'must be ≥ 0'));
  });

  test('TLS client certificate and key come as a pair', () => {
    ok('mqtt', { enable_tls: true, tls_cert: '${file:/etc/c.pem}', tls_key: '${file:/etc/k.pem}' });
    ok('mqtt', { enable_tls: true, tls_ca: '${file:/etc/ca.pem}' });
    assert.deepEqual(bad('mqtt', { tls_key: 'KEY' }), only('config.tls_cert', 'is required when tls_key is set'));
    assert.deepEqual(bad('mqtt', { tls_cert: 'CERT' }), only('config.tls_key', 'is required when tls_cert is set'));
  });

  test('protocol_version enum', () => {
    ok('mqtt', { protocol_version: 'v3' });
    assert.deepEqual(bad('mqtt', { protocol_version: '5' }), only('config.protocol_version', 'must be one of: v3, v4, v5'));
  });

  test('defaults are filled in', () => {
    assert.deepEqual(ok('mqtt'), {
      server: 'mqtt://remote-broker:1883', client_id_prefix: 'sluice', protocol_version: 'v5', keepalive_secs: 60, connect_timeout_secs: 10,
      topic_prefix: '', topic_template: '${topic}', qos: 1, retain: false, max_retries: 3, enable_tls: false, tls_insecure_skip_verify: false,
    });
  });
});

describe('webhook config', () => {
  test('required fields', () => {
    assert.deepEqual(bad('webhook', {}, {}), only('config.url', 'is required'));
  });

  test('basic auth needs username and password', () => {
    ok('webhook', { auth_type: 'basic', username: 'u', password: 'p' });
    assert.deepEqual(bad('webhook', { auth_type: 'basic' }), [
      { path: 'config.username', rule: 'is required when auth_type is basic' },
      { path: 'config.password', rule: 'is required when auth_type is basic' },
    ]);
    assert.deepEqual(bad('webhook', { auth_type: 'basic', username: 'u' }), only('config.password', 'is required when auth_type is basic'));
    assert.deepEqual(bad('webhook', { auth_type: 'basic', password: 'p' }), only('config.username', 'is required when auth_type is basic'));
  });

  test('bearer auth needs bearer_token', () => {
    ok('webhook', { auth_type: 'bearer', bearer_token: 't' });
    assert.deepEqual(bad('webhook', { auth_type: 'bearer' }), only('config.bearer_token', 'is required when auth_type is bearer'));
  });

  test('enums: method and auth_type', () => {
    ok('webhook', { method: 'put' });
    assert.deepEqual(bad('webhook', { method: 'get' }), only('config.method', 'must be one of: post, put'));
    assert.deepEqual(bad('webhook', { auth_type: 'digest' }), only('config.auth_type', 'must be one of: none, basic, bearer'));
  });

  test('timeout_ms 1–60000', () => {
    ok('webhook', { timeout_ms: 1 });
    ok('webhook', { timeout_ms: 60_000 });
    assert.deepEqual(bad('webhook', { timeout_ms: 0 }), only('config.timeout_ms', 'must be ≥ 1'));
    assert.deepEqual(bad('webhook', { timeout_ms: 60_001 }), only('config.timeout_ms', 'must be ≤ 60000'));
  });

  test('headers: token names only (no spaces, no CR/LF injection), string values, at most 64', () => {
    assert.deepEqual(ok('webhook', { headers: { 'X-Source': 'sluice' } }).headers, { 'X-Source': 'sluice' });
    const rule = "is not an allowed key: expected ^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$";
    assert.deepEqual(bad('webhook', { headers: { 'bad header': 'x' } }), only('config.headers.bad header', rule));
    assert.deepEqual(bad('webhook', { headers: { 'X-A\r\nX-Injected': 'x' } }), only('config.headers.X-A\r\nX-Injected', rule));
    assert.deepEqual(bad('webhook', { headers: { 'X-A': 1 } }), only('config.headers.X-A', 'must be a string'));
    assert.deepEqual(bad('webhook', { headers: { 'X-A': 'v'.repeat(8193) } }), only('config.headers.X-A', 'must be at most 8192 characters'));
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`X-${i}`, 'v']));
    assert.deepEqual(bad('webhook', { headers: many }), only('config.headers', 'must have at most 64 entries'));
  });

  test('defaults are filled in', () => {
    assert.deepEqual(ok('webhook'), { url: 'https://example.com/hook', method: 'post', headers: {}, timeout_ms: 5000, auth_type: 'none' });
  });
});

describe('file config', () => {
  test('required fields', () => {
    assert.deepEqual(bad('file', {}, {}), only('config.local_file_path', 'is required'));
    assert.deepEqual(bad('file', { local_file_path: '' }), only('config.local_file_path', 'must not be empty'));
  });

  test('a NUL byte in the path is refused', () => {
    assert.deepEqual(bad('file', { local_file_path: '/tmp/a\u0000.jsonl' }), only('config.local_file_path', 'must not contain a NUL character'));
  });

  test('path length ≤ 4096', () => {
    ok('file', { local_file_path: `/${'a'.repeat(4095)}` });
    assert.deepEqual(bad('file', { local_file_path: `/${'a'.repeat(4096)}` }), only('config.local_file_path', 'must be at most 4096 characters'));
  });

  test('enums: format and rotation_strategy', () => {
    ok('file', { format: 'raw', rotation_strategy: 'hourly' });
    assert.deepEqual(bad('file', { format: 'csv' }), only('config.format', 'must be one of: json_lines, raw'));
    assert.deepEqual(bad('file', { rotation_strategy: 'weekly' }), only('config.rotation_strategy', 'must be one of: none, size, hourly, daily'));
  });

  test('ranges: max_size_gb 1–10, max_size_mb 1–10240', () => {
    ok('file', { rotation_strategy: 'size', max_size_gb: 10, max_size_mb: 10_240 });
    ok('file', { rotation_strategy: 'size', max_size_gb: 1, max_size_mb: 1 });
    assert.deepEqual(bad('file', { max_size_gb: 0 }), only('config.max_size_gb', 'must be ≥ 1'));
    assert.deepEqual(bad('file', { max_size_gb: 11 }), only('config.max_size_gb', 'must be ≤ 10'));
    assert.deepEqual(bad('file', { max_size_mb: 10_241 }), only('config.max_size_mb', 'must be ≤ 10240'));
  });

  test('defaults are filled in', () => {
    assert.deepEqual(ok('file'), { local_file_path: '/var/lib/sluice/out/messages.jsonl', format: 'json_lines', rotation_strategy: 'none', max_size_gb: 1, fsync: false });
  });
});

// Rules that hold for every type, driven by each schema itself.
describe('every type', () => {
  for (const type of connectorTypes()) {
    const props = Object.entries(type.schema.properties) as [string, Record<string, unknown>][];

    test(`${type.name}: the schema's whole-config examples are valid and together set every secret field`, () => {
      const examples = (type.schema as { examples?: unknown }).examples;
      assert.ok(Array.isArray(examples) && examples.length > 0, `${type.name} schema has no examples`);
      for (const e of examples as Cfg[]) ok(type.name, {}, e);
      assert.doesNotThrow(() => configWithSecrets(type, (f) => `secret-${f}`));
      for (const [name, prop] of props) {
        if (!('default' in prop) && (type.schema.required ?? []).includes(name)) assert.ok(Array.isArray(prop.examples), `${type.name}.${name} (required) has examples`);
      }
    });

    test(`${type.name}: unknown fields are refused by name`, () => {
      assert.deepEqual(bad(type.name, { bogus: 1, 'also-bogus': 'x' }), [
        { path: 'config.bogus', rule: 'is not a known field' },
        { path: 'config.also-bogus', rule: 'is not a known field' },
      ]);
    });

    test(`${type.name}: every default in the schema is filled in`, () => {
      const filled = ok(type.name);
      for (const [name, schema] of props) {
        if ('default' in schema && !(name in (BASE[type.name] ?? {}))) assert.deepEqual(filled[name], schema.default, `${type.name}.${name}`);
      }
    });

    test(`${type.name}: wrong types (number for string, string for integer/boolean, array, object) are refused with the field named`, () => {
      let checked = 0;
      for (const [name, schema] of props) {
        const wrong: [unknown, string][] = [];
        if (schema.type === 'string') wrong.push([123, 'must be a string'], [['a'], 'must be a string'], [{ a: 1 }, 'must be a string']);
        else if (schema.type === 'integer') wrong.push(['5', 'must be an integer'], [[5], 'must be an integer'], [true, 'must be an integer']);
        else if (schema.type === 'boolean') wrong.push(['true', 'must be a boolean'], [1, 'must be a boolean']);
        else if (schema.type === 'object') wrong.push(['x', 'must be an object'], [[], 'must be an object']);
        else if (schema.type === 'array') wrong.push(['x', 'must be an array'], [{}, 'must be an array']);
        else if (Array.isArray(schema.enum)) wrong.push([123, `must be one of: ${(schema.enum as unknown[]).join(', ')}`]);
        for (const [value, rule] of wrong) {
          const errors = bad(type.name, { [name]: value });
          assert.deepEqual(errors, only(`config.${name}`, rule), `${type.name}.${name} = ${JSON.stringify(value)}`);
          checked++;
        }
      }
      assert.ok(checked >= props.length, `checked ${checked} cases for ${props.length} fields`);
    });

    test(`${type.name}: null means unset: an optional field takes its default, a required one is refused by name`, () => {
      const required = new Set(type.schema.required ?? []);
      for (const [name, schema] of props) {
        if (required.has(name) && !('default' in schema)) {
          assert.deepEqual(bad(type.name, { [name]: null }), only(`config.${name}`, 'is required: null means unset'), `${type.name}.${name} = null`);
        } else {
          // unset, it may still be needed by a rule across fields (influxdb v2 needs org); never a type error
          const r = checkConfig(type, { ...BASE[type.name], [name]: null });
          if (r.config) assert.deepEqual(r.config[name], schema.default, `${type.name}.${name} = null is its default`);
          else assert.ok(r.errors.every((e) => !/^must be an? /.test(e.rule)), `${type.name}.${name} = null: ${JSON.stringify(r.errors)}`);
        }
      }
    });

    test(`${type.name}: a fraction for an integer is refused`, () => {
      let checked = 0;
      for (const [name, schema] of props) {
        if (schema.type !== 'integer') continue;
        const errors = bad(type.name, { [name]: 1.5 });
        assert.ok(errors.some((e) => e.path === `config.${name}` && e.rule === 'must be an integer'), `${type.name}.${name}: ${JSON.stringify(errors)}`);
        checked++;
      }
      assert.ok(checked > 0);
    });

    test(`${type.name}: 1 MB strings are refused by each field's length limit`, () => {
      const huge = 'a'.repeat(1_048_576);
      let checked = 0;
      for (const [name, schema] of props) {
        if (schema.type !== 'string') continue;
        assert.equal(typeof schema.maxLength, 'number', `${type.name}.${name} has no maxLength`);
        const errors = bad(type.name, { [name]: huge });
        assert.ok(errors.some((e) => e.path === `config.${name}` && e.rule === `must be at most ${String(schema.maxLength)} characters`), `${type.name}.${name}: ${JSON.stringify(errors)}`);
        checked++;
      }
      assert.ok(checked > 0);
    });

    test(`${type.name}: config through buildDefinition gets the same errors, prefixed config.`, () => {
      assert.throws(
        () => buildDefinition({ name: 'c', type: type.name.toUpperCase(), topic_filter: 'a/#', config: { bogus: true } }),
        (e: unknown) => e instanceof SluiceError && e.code === 'VALIDATION_FAILED' && e.fields.some((f) => f.path === 'config.bogus' && f.rule === 'is not a known field'),
      );
      const def = buildDefinition({ name: 'c', type: type.name.toUpperCase(), topic_filter: 'a/#', config: JSON.stringify(BASE[type.name]) });
      assert.equal(def.type, type.name);
      assert.deepEqual(def.config, ok(type.name));
    });
  }
});
