// Secret fields: marking per type, redaction, keeping stored values, references (src/metadata/secrets.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SluiceError } from '../../src/errors.js';
import { buildDefinition } from '../../src/metadata/definition.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { isReference, keepStoredSecrets, redactConfig, REDACTED, resolveReferences, secretFields } from '../../src/metadata/secrets.js';
import { SqliteDefinitionStore } from '../../src/metadata/sqlite-store.js';
import { referencePolicyFromEnv } from '../../src/metadata/reference-policy.js';

describe('secrets', () => {
  test('each type marks exactly its secret fields', () => {
    const expected: Record<string, string[]> = {
      kafka: ['sasl_password', 'tls_key'],
      clickhouse: ['password'],
      influxdb: ['token', 'password'],
      mqtt: ['password', 'tls_key'],
      webhook: ['password', 'bearer_token'],
      file: [],
    };
    for (const [type, fields] of Object.entries(expected)) assert.deepEqual(secretFields(parseConnectorType(type).schema).sort(), [...fields].sort(), type);
  });

  test('secret fields are write-only in the JSON Schema', () => {
    const props = parseConnectorType('kafka').schema.properties as Record<string, Record<string, unknown>>;
    assert.equal(props.sasl_password?.writeOnly, true);
    assert.equal(props.sasl_password?.['x-secret'], true);
    assert.equal(props.sasl_username?.writeOnly, undefined);
  });

  test('redactConfig hides non-empty secrets only and does not touch the input', () => {
    const schema = parseConnectorType('influxdb').schema;
    const config = { server: 'http://x', token: 'tok-123', password: '', username: 'u' };
    assert.deepEqual(redactConfig(schema, config), { server: 'http://x', token: REDACTED, password: '', username: 'u' });
    assert.equal(config.token, 'tok-123');
    assert.equal(REDACTED, '******');
  });

  test('keepStoredSecrets puts the stored value back for ******, drops it when nothing is stored', () => {
    const schema = parseConnectorType('webhook').schema;
    assert.deepEqual(keepStoredSecrets(schema, { password: REDACTED, username: 'u' }, { password: 'old', username: 'x' }), { password: 'old', username: 'u' });
    assert.deepEqual(keepStoredSecrets(schema, { password: REDACTED }, undefined), {});
    assert.deepEqual(keepStoredSecrets(schema, { password: 'new' }, { password: 'old' }), { password: 'new' });
    // ****** in a field that is not secret is just a value
    assert.deepEqual(keepStoredSecrets(schema, { username: REDACTED }, { username: 'u' }), { username: REDACTED });
  });

  test('buildDefinition: ****** keeps the stored secret of the same type only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-secrets-'));
    const store = new SqliteDefinitionStore(join(dir, 'db.sqlite'));
    try {
      const stored = { ...buildDefinition({ name: 'w', type: 'webhook', topic_filter: 'a', config: { url: 'http://x', auth_type: 'bearer', bearer_token: 'real-token' } }), created_at: '', updated_at: '', revision: 1 };
      const next = buildDefinition({ name: 'w', type: 'webhook', topic_filter: 'a', config: { url: 'http://y', auth_type: 'bearer', bearer_token: REDACTED } }, stored);
      assert.equal(next.config.bearer_token, 'real-token');
      // a different type never inherits: ****** with nothing to keep is dropped, and the rule needing it fails
      const other = { ...stored, type: 'kafka' };
      assert.throws(
        () => buildDefinition({ name: 'w', type: 'webhook', topic_filter: 'a', config: { url: 'http://y', auth_type: 'bearer', bearer_token: REDACTED } }, other),
        (e: unknown) => e instanceof SluiceError && e.fields.some((f) => f.path === 'config.bearer_token' && f.rule === 'is required when auth_type is bearer'),
      );
    } finally {
      void store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('references are recognised, stored as written, and resolved only on demand', () => {
    assert.ok(isReference('${env:KAFKA_PASSWORD}'));
    assert.ok(isReference('${file:/run/secrets/pw}'));
    assert.ok(!isReference('$env:X'));
    assert.ok(!isReference('prefix ${env:X}'));
    const def = buildDefinition({ name: 'k', type: 'kafka', topic_filter: 'a', config: { bootstrap_servers: 'k:9092', topic: 't', sasl_mechanism: 'plain', sasl_username: 'u', sasl_password: '${env:SLUICE_SECRET_KAFKA_PW}' } });
    assert.equal(def.config.sasl_password, '${env:SLUICE_SECRET_KAFKA_PW}');
  });

  test('resolveReferences reads env and files (trailing newline stripped) and never mutates the stored config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ref-'));
    try {
      const keyFile = join(dir, 'key.pem');
      writeFileSync(keyFile, 'PEM-KEY\n');
      const schema = parseConnectorType('kafka').schema;
      const config = { sasl_password: '${env:SLUICE_SECRET_TEST_PW}', tls_key: `\${file:${keyFile}}`, tls_ca: `\${file:${keyFile}}`, topic: '${env:NOT_A_SECRET_FIELD}' };
      const env = { SLUICE_SECRET_TEST_PW: 'from-env', SLUICE_SECRET_DIR: dir };
      const resolved = resolveReferences(schema, config, env);
      assert.equal(resolved.sasl_password, 'from-env');
      assert.equal(resolved.tls_key, 'PEM-KEY');
      assert.equal(resolved.tls_ca, 'PEM-KEY');
      assert.equal(resolved.topic, '${env:NOT_A_SECRET_FIELD}', 'only secret and reference fields are resolved');
      assert.equal(config.sasl_password, '${env:SLUICE_SECRET_TEST_PW}');
      assert.throws(() => resolveReferences(schema, { sasl_password: '${env:SLUICE_SECRET_TEST_MISSING}' }, env), (e: unknown) => e instanceof SluiceError && e.code === 'SECRET_REFERENCE_UNRESOLVED' && e.fields[0]?.path === 'config.sasl_password');
      assert.throws(() => resolveReferences(schema, { tls_key: `\${file:${join(dir, 'missing')}}` }, env), (e: unknown) => e instanceof SluiceError && e.code === 'SECRET_REFERENCE_UNRESOLVED' && /ENOENT/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('reference allow-list: env only SLUICE_SECRET_* or SLUICE_SECRET_ENV, files only under SLUICE_SECRET_DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ref-policy-'));
    try {
      const secrets = join(dir, 'secrets');
      mkdirSync(secrets);
      writeFileSync(join(secrets, 'pw'), 'inside');
      writeFileSync(join(dir, 'outside'), 'outside');
      symlinkSync(join(dir, 'outside'), join(secrets, 'escape'));
      const env = { SLUICE_SECRET_DIR: secrets, SLUICE_SECRET_ENV: 'KAFKA_PW, OTHER', KAFKA_PW: 'listed', SLUICE_SECRET_X: 'prefixed', HOME: '/root', SLUICE_SECRET_KEY: 'k' };
      const schema = parseConnectorType('kafka').schema;
      const resolve = (v: string, field = 'sasl_password') => resolveReferences(schema, { [field]: v }, env)[field];
      assert.equal(resolve('${env:SLUICE_SECRET_X}'), 'prefixed');
      assert.equal(resolve('${env:KAFKA_PW}'), 'listed');
      assert.equal(resolve(`\${file:${join(secrets, 'pw')}}`, 'tls_key'), 'inside');
      const refused = (v: string, rule: RegExp, field = 'sasl_password') =>
        assert.throws(() => resolve(v, field), (e: unknown) => e instanceof SluiceError && e.code === 'SECRET_REFERENCE_UNRESOLVED' && e.fields[0]?.path === `config.${field}` && rule.test(e.fields[0].rule), v);
      refused('${env:HOME}', /may not be referenced: only SLUICE_SECRET_\* names and those listed in SLUICE_SECRET_ENV/);
      refused('${env:SLUICE_SECRET_KEY}', /Sluice's own setting/);
      refused(`\${file:${join(dir, 'outside')}}`, /outside SLUICE_SECRET_DIR/, 'tls_key');
      refused(`\${file:${secrets}/../outside}`, /outside SLUICE_SECRET_DIR/, 'tls_key');
      refused(`\${file:${join(secrets, 'escape')}}`, /through a symbolic link/, 'tls_key');
      assert.throws(() => resolveReferences(schema, { tls_key: `\${file:${join(secrets, 'pw')}}` }, {}), /file references are off: set SLUICE_SECRET_DIR/);
      // refused when written, too: the definition names the field and the rule
      const saved = { ...process.env };
      process.env.SLUICE_SECRET_DIR = secrets;
      delete process.env.SLUICE_SECRET_ENV;
      try {
        assert.equal(referencePolicyFromEnv().secretDir, secrets);
        assert.throws(
          () => buildDefinition({ name: 'k', type: 'kafka', topic_filter: 'a', config: { bootstrap_servers: 'k:9092', topic: 't', sasl_mechanism: 'plain', sasl_username: 'u', sasl_password: '${env:AWS_SECRET_ACCESS_KEY}', tls_key: '${file:/etc/shadow}' } }),
          (e: unknown) => e instanceof SluiceError && e.code === 'VALIDATION_FAILED' && e.fields.map((f) => f.path).sort().join() === 'config.sasl_password,config.tls_key',
        );
      } finally {
        process.env = saved;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
