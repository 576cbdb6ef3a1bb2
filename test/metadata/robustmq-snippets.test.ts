// RobustMQ's own create requests work unchanged: for each RobustMQ connector type, every config
// its docs page shows (test/metadata/robustmq-snippets/<type>.json, copied from RobustMQ's
// docs/en/RobustMQ-MQTT/Bridge pages) and one config holding every field of its config struct
// (unset options as `null`, as RobustMQ's list output writes them) are created through
// POST /api/cluster/connector/create, with the type named as RobustMQ's docs name it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ConnectorService } from '../../src/admin/connector-service.js';
import { buildServer } from '../../src/admin/server.js';
import { connectorTypes } from '../../src/metadata/registry.js';
import { SqliteDefinitionStore } from '../../src/metadata/sqlite-store.js';
import { tempDir } from '../helpers/server.js';

/** RobustMQ's 17 type ids (connector_type.rs, CONNECTOR_TYPE_*) */
const ROBUSTMQ_TYPES = ['file', 'kafka', 'greptime', 'pulsar', 'postgres', 'mongodb', 'rabbitmq', 'mysql', 'elasticsearch', 'redis', 'webhook', 'opentsdb', 'mqtt', 'clickhouse', 'influxdb', 'cassandra', 's3'];

interface Snippets {
  connector_type: string;
  documented: Record<string, unknown> | Record<string, unknown>[];
  every_field: Record<string, unknown>;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'robustmq-snippets');
const files = new Map(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Snippets]));
const registered = new Set(connectorTypes().map((t) => t.name));

let app: FastifyInstance;
let store: SqliteDefinitionStore;
// no runtime: the definitions are validated and stored, nothing connects to the documented hosts
before(async () => {
  store = new SqliteDefinitionStore(join(tempDir('sluice-robustmq-snippets-'), 'sluice.db'));
  app = await buildServer({ service: new ConnectorService(store), logLevel: 'silent' });
});
after(async () => {
  await app.close();
  await store.close();
});

let n = 0;
async function create(connectorType: string, config: Record<string, unknown>): Promise<{ status: number; body: { code: number; message: string }; name: string }> {
  const name = `snippet-${++n}`;
  const res = await app.inject({ method: 'POST', url: '/api/cluster/connector/create', payload: { connector_name: name, connector_type: connectorType, config: JSON.stringify(config), topic_name: 'robustmq/#' } });
  return { status: res.statusCode, body: res.json(), name };
}

describe("RobustMQ's documented create requests", () => {
  for (const type of ROBUSTMQ_TYPES) {
    const snippets = files.get(type);
    if (!registered.has(type)) {
      test(`${type}: not a Sluice type yet`, { skip: `${type} is not registered yet (issue #11)` }, () => undefined);
      continue;
    }
    test(`${type}: every documented config and a config with every RobustMQ field (nulls included) are accepted`, async () => {
      assert.ok(snippets, `test/metadata/robustmq-snippets/${type}.json is missing: a registered RobustMQ type needs its documented snippets`);
      const documented = Array.isArray(snippets.documented) ? snippets.documented : [snippets.documented];
      assert.ok(documented.length > 0);
      for (const config of [...documented, snippets.every_field]) {
        const r = await create(snippets.connector_type, config);
        assert.equal(r.status, 200, `${snippets.connector_type} ${JSON.stringify(config)}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.code, 0);
        const stored = await store.get('default', r.name);
        assert.equal(stored?.type, type, 'stored under the Sluice type name');
        assert.ok(!Object.values(stored?.config ?? {}).includes(null), 'null means unset: nothing is stored as null');
      }
      const t = connectorTypes().find((x) => x.name === type);
      for (const field of Object.keys(snippets.every_field)) assert.ok(field in (t?.schema.properties ?? {}), `${type}: RobustMQ's field ${field} is in the schema`);
    });
  }
});

describe("RobustMQ's etl_rule beside the config", () => {
  test('is taken as the transform\'s etl_rule; its empty stored form is no transform; a broken one names the step', async () => {
    const rule = {
      decode_rule: { Decode: { data_type: 'JsonObject', line_separator: null, token_separator: null, kv_separator: null } },
      ops_rule_list: [{ KeepOnly: { keys: ['temp'] } }],
      encode_rule: { Encode: { data_type: 'JsonObject', line_separator: null, token_separator: null, kv_separator: null } },
    };
    const post = (name: string, etl_rule: unknown) => app.inject({ method: 'POST', url: '/api/cluster/connector/create', payload: { connector_name: name, connector_type: 'LocalFile', config: '{"local_file_path":"/tmp/etl.log"}', topic_name: 'etl/#', etl_rule } });
    assert.equal((await post('etl-1', rule)).statusCode, 200);
    assert.deepEqual((await store.get('default', 'etl-1'))?.transform?.etl_rule, rule);
    assert.equal((await post('etl-2', { decode_rule: null, ops_rule_list: [], encode_rule: null })).statusCode, 200);
    assert.equal((await store.get('default', 'etl-2'))?.transform, undefined);
    const bad = await post('etl-3', { ...rule, decode_rule: { Decode: { data_type: 'Protobuf' } } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /transform\.etl_rule\.decode_rule/);
  });
});

describe('null means unset', () => {
  test('an optional field given as null takes its default; a required one given as null is an error naming it', async () => {
    const ok = await create('mqtt', { server: 'tcp://remote-broker:1883', topic_prefix: null, client_id_prefix: null, username: null });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual({ ...(await store.get('default', ok.name))?.config }.topic_prefix, '');
    assert.equal({ ...(await store.get('default', ok.name))?.config }.client_id_prefix, 'sluice');
    const bad = await create('mqtt', { server: null });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /config\.server: is required/);
  });

  test("every type's aliases name it: RobustMQ's enum names LocalFile and MqttBridge, any case", async () => {
    for (const [alias, config] of [['LocalFile', { local_file_path: '/tmp/x.log' }], ['local_file', { local_file_path: '/tmp/x.log' }], ['MQTTBRIDGE', { server: 'tcp://h:1883' }], ['KAFKA', { bootstrap_servers: 'k:9092', topic: 't' }]] as const) {
      const r = await create(alias, config);
      assert.equal(r.status, 200, `${alias}: ${JSON.stringify(r.body)}`);
    }
  });
});
