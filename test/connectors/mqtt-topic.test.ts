// Unit tests of the mqtt bridge's pure parts: topic template, loop verdict, record → PUBLISH
// mapping (properties, expiry, packet size), client id, config reading and the config rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientOptions, targetOf } from '../../src/connectors/mqtt/client-options.js';
import { bridgeClientId } from '../../src/mqtt/client-ids.js';
import { brokerAddress, loopVerdict, sourceBroker, sourceBrokerFromEnv } from '../../src/connectors/mqtt/loop-guard.js';
import { mapRecord, publishPacketBytes, type MappingSettings } from '../../src/connectors/mqtt/mapping.js';
import { compileTopicTemplate, renderTopic } from '../../src/connectors/mqtt/topic-template.js';
import type { SinkRecord } from '../../src/connectors/sink.js';
import { checkConfig, sinkConfig } from '../../src/metadata/config-validation.js';
import { mqttType } from '../../src/metadata/configs/mqtt.js';

const render = (prefix: string, template: string, topic: string) => renderTopic(compileTopicTemplate(prefix, template), { topic, payload: Buffer.alloc(0), qos: 0, timestamp: 0 });

describe('topic template', () => {
  test("topic_prefix joins with one / as RobustMQ's bridge does", () => {
    assert.deepEqual(render('edge-01', '${topic}', 'a/b'), { topic: 'edge-01/a/b' });
    assert.deepEqual(render('edge-01/', '${topic}', 'a/b'), { topic: 'edge-01/a/b' });
    assert.deepEqual(render('edge-01///', '${topic}', 'a/b'), { topic: 'edge-01/a/b' });
    assert.deepEqual(render('', '${topic}', 'a/b'), { topic: 'a/b' }, 'empty: no prefix');
  });

  test("RobustMQ's Paho server forms: tcp:// is mqtt://, ssl:// is mqtts:// (TLS)", () => {
    const t = (server: string) => targetOf(sinkConfig(mqttType, { server }));
    assert.deepEqual(t('tcp://broker.example:1883'), { url: 'mqtt://broker.example:1883', label: 'broker.example:1883', host: 'broker.example', port: 1883, tls: false });
    assert.deepEqual(t('ssl://broker.example'), { url: 'mqtts://broker.example', label: 'broker.example:8883', host: 'broker.example', port: 8883, tls: true });
    assert.deepEqual(checkConfig(mqttType, { server: 'tcp://h:1883', client_id_prefix: 'robustmq-bridge:edge' }).errors, []);
    assert.deepEqual(checkConfig(mqttType, { server: 'udp://h:1883' }).errors, [{ path: 'config.server', rule: 'expected an mqtt://, mqtts://, ws://, wss://, tcp:// or ssl:// URL' }]);
  });

  test('${topic}, prefix and literal text', () => {
    assert.deepEqual(render('', '${topic}', 'a/b/c'), { topic: 'a/b/c' });
    assert.deepEqual(render('edge-01/', '${topic}', 'sensors/dev-7/temp'), { topic: 'edge-01/sensors/dev-7/temp' });
    assert.deepEqual(render('', 'bridged/${topic}/raw', 'a/b'), { topic: 'bridged/a/b/raw' });
    assert.deepEqual(render('x', 'fixed', 'a/b'), { topic: 'x/fixed' });
    assert.deepEqual(render('', '${ topic }', '$SYS/x'), { topic: '$SYS/x' });
  });

  test('${topic[N]} counts levels from 0; negative from the end; empty levels count', () => {
    assert.deepEqual(render('', '${topic[0]}', 'sensors/dev-7/temp'), { topic: 'sensors' });
    assert.deepEqual(render('site/', '${topic[1]}/${topic[2]}', 'sensors/dev-7/temp'), { topic: 'site/dev-7/temp' });
    assert.deepEqual(render('', '${topic[-1]}/${topic[-3]}', 'sensors/dev-7/temp'), { topic: 'temp/sensors' });
    assert.deepEqual(render('', 'd/${topic[1]}', '/lead/x'), { topic: 'd/lead' });
    assert.deepEqual(render('', 'd/${topic[0]}/e', '/lead'), { topic: 'd//e' });
    assert.deepEqual(render('', '${topic[1]}${topic[1]}', 'a/bb'), { topic: 'bbbb' });
  });

  test('a level the topic lacks fails that record with the numbers', () => {
    const r = render('', 'x/${topic[3]}', 'a/b');
    assert.ok('error' in r);
    assert.match(r.error, /\$\{topic\[3\]\} has no value for the message on "a\/b" \(the topic has 2 levels, counted from 0\)/);
    assert.ok('error' in render('', '${topic[-3]}', 'a/b'));
  });

  test('an empty result is not a topic name', () => {
    const r = render('', '${topic[1]}', 'a/');
    assert.ok('error' in r);
    assert.match(r.error, /is not a valid topic name: it must not be empty/);
  });

  test('a result over 65535 bytes is not a topic name', () => {
    const r = render('p/'.repeat(20_000), '${topic}', 'x'.repeat(30_000));
    assert.ok('error' in r);
    assert.match(r.error, /at most 65535 bytes/);
  });

  test('config rules: wildcards in fixed text, unknown variables', () => {
    const errors = (over: Record<string, unknown>) => checkConfig(mqttType, { server: 'mqtt://h:1883', ...over }).errors;
    assert.deepEqual(errors({}), []);
    assert.deepEqual(errors({ topic_prefix: 'a/+/' }), [{ path: 'config.topic_prefix', rule: 'must not contain the wildcards + or #' }]);
    assert.deepEqual(errors({ topic_template: '${topic}/#' }), [{ path: 'config.topic_template', rule: 'must not contain the wildcards + or #' }]);
    assert.deepEqual(errors({ topic_template: '${x}' }), [{ path: 'config.topic_template', rule: 'unknown variable ${x}; known: ${topic}, ${topic[N]}, ${payload}, ${payload.<field>}, ${timestamp}, ${id}, ${qos}, ${user_properties.<name>}' }]);
    assert.deepEqual(errors({ topic_template: 'a/${topic' }), [{ path: 'config.topic_template', rule: 'has an unclosed ${' }]);
  });

  test('the schema check reports them with the field path', () => {
    assert.deepEqual(checkConfig(mqttType, { server: 'mqtt://h:1883', topic_template: 'out/${topic[one]}' }).errors, [
      { path: 'config.topic_template', rule: 'unknown variable ${topic[one]}; known: ${topic}, ${topic[N]}, ${payload}, ${payload.<field>}, ${timestamp}, ${id}, ${qos}, ${user_properties.<name>}' },
    ]);
    assert.deepEqual(checkConfig(mqttType, { server: 'mqtt://h:1883', topic_prefix: '#/' }).errors, [{ path: 'config.topic_prefix', rule: 'must not contain the wildcards + or #' }]);
    assert.deepEqual(checkConfig(mqttType, { server: 'mqtts://h:8883', tls_cert: 'PEM' }).errors, [{ path: 'config.tls_key', rule: 'is required when tls_cert is set' }]);
    assert.deepEqual(checkConfig(mqttType, { server: 'mqtt://h:1883', topic_template: 'x/${topic[-1]}' }).errors, []);
  });
});

describe('loop guard', () => {
  const tpl = (prefix: string, template = '${topic}') => compileTopicTemplate(prefix, template);

  test('addresses: default ports, every local name is one', () => {
    assert.equal(brokerAddress('mqtt://localhost'), 'local:1883');
    assert.equal(brokerAddress('mqtt://127.0.0.1:1883'), 'local:1883');
    assert.equal(brokerAddress('mqtts://[::1]'), 'local:8883');
    assert.equal(brokerAddress('ws://Broker.Example.com/mqtt'), 'broker.example.com:80');
    assert.equal(brokerAddress('not a url'), undefined);
  });

  test('same broker, target topic = source topic: refused when SLUICE_MQTT_URL says so', () => {
    const v = loopVerdict('mqtt://localhost:18831', tpl(''), { SLUICE_MQTT_URL: 'mqtt://127.0.0.1:18831' }, 'localhost:18831');
    assert.equal(v.kind, 'refuse');
    assert.match(v.kind === 'refuse' ? v.message : '', /localhost:18831 is also Sluice's source broker \(SLUICE_MQTT_URL\).*a loop\. Set topic_prefix/);
  });

  test('same broker with a prefix or another template: a warning', () => {
    const v = loopVerdict('mqtt://127.0.0.1:18831', tpl('bridged/'), { SLUICE_MQTT_URL: 'mqtt://localhost:18831' }, '127.0.0.1:18831');
    assert.equal(v.kind, 'warn');
    assert.match(v.kind === 'warn' ? v.message : '', /topic_prefix "bridged\/" topic_template \$\{topic\}\) are received again if the connector's topic filter matches them/);
    assert.equal(loopVerdict('mqtt://127.0.0.1:18831', tpl('', 'out/${topic[-1]}'), { SLUICE_MQTT_URL: 'mqtt://127.0.0.1:18831' }, 'x').kind, 'warn');
  });

  test('another broker (host or port): nothing', () => {
    assert.deepEqual(loopVerdict('mqtt://127.0.0.1:18832', tpl(''), { SLUICE_MQTT_URL: 'mqtt://127.0.0.1:18831' }, 'x'), { kind: 'none' });
    assert.deepEqual(loopVerdict('mqtt://cloud.example.com:1883', tpl(''), { SLUICE_MQTT_URL: 'mqtt://127.0.0.1:1883' }, 'x'), { kind: 'none' });
  });

  test('the broker the connector subscribes on (from the runtime) is certain and wins over the environment', () => {
    assert.deepEqual(sourceBroker('mqtt://127.0.0.1:2883', { SLUICE_MQTT_URL: 'mqtt://elsewhere:1883' }), { address: 'local:2883', origin: 'the broker this connector subscribes on', certain: true });
    const v = loopVerdict('mqtt://localhost:2883', tpl(''), {}, 'localhost:2883', 'mqtt://127.0.0.1:2883');
    assert.equal(v.kind, 'refuse', 'a `--mqtt-url` broker or the embedded one, known for sure');
    assert.match(v.kind === 'refuse' ? v.message : '', /^target localhost:2883 is also Sluice's source broker \(the broker this connector subscribes on\)/);
    assert.deepEqual(loopVerdict('mqtt://localhost:1883', tpl(''), { SLUICE_MQTT_URL: 'mqtt://127.0.0.1:1883' }, 'x', 'mqtt://127.0.0.1:2883'), { kind: 'none' });
  });

  test('without SLUICE_MQTT_URL the embedded broker is only a guess: warn, never refuse', () => {
    assert.deepEqual(sourceBrokerFromEnv({}), { address: 'local:1883', origin: 'the embedded broker', certain: false });
    const v = loopVerdict('mqtt://localhost:1883', tpl(''), {}, 'localhost:1883');
    assert.equal(v.kind, 'warn');
    assert.match(v.kind === 'warn' ? v.message : '', /^probably a loop: /);
    assert.equal(loopVerdict('mqtt://localhost:2883', tpl(''), { SLUICE_EMBEDDED_BROKER_PORT: '2883' }, 'x').kind, 'warn');
    assert.equal(loopVerdict('mqtt://localhost:1883', tpl(''), { SLUICE_EMBEDDED_BROKER_PORT: '2883' }, 'x').kind, 'none');
  });
});

describe('record → PUBLISH', () => {
  const base: MappingSettings = { template: compileTopicTemplate('b/', '${topic}'), qos: 1, retain: true, v5: true };
  const rec = (over: Partial<SinkRecord> = {}): SinkRecord => ({ id: 'e-1', offset: 1, topic: 'a/b', payload: Buffer.from([0, 1, 0xff]), qos: 0, retain: false, timestamp: 1_000_000, ...over });

  test('topic, payload bytes, QoS and retain from the config; the record id as user property sluice_id (v5)', () => {
    const p = mapRecord(rec(), base, 1_000_000);
    assert.ok(!('error' in p));
    assert.equal(p.topic, 'b/a/b');
    assert.deepEqual([...p.payload], [0, 1, 0xff]);
    assert.deepEqual(p.options, { qos: 1, retain: true, properties: { userProperties: { sluice_id: 'e-1' } } });
  });

  test('MQTT 5 properties are carried to a v5 target, dropped for v3/v4', () => {
    const properties = { contentType: 'application/json', payloadFormatIndicator: true, responseTopic: 'r/1', correlationData: Buffer.from('c-1'), userProperties: { a: '1', b: ['x', 'y'] }, messageExpiryInterval: 60 };
    const p = mapRecord(rec({ properties }), base, 1_000_000 + 10_500);
    assert.ok(!('error' in p));
    assert.deepEqual(p.options.properties, { ...properties, userProperties: { ...properties.userProperties, sluice_id: 'e-1' }, messageExpiryInterval: 50 });
    const v4 = mapRecord(rec({ properties }), { ...base, v5: false }, 1_000_000);
    assert.ok(!('error' in v4));
    assert.equal(v4.options.properties, undefined);
  });

  test('a message whose expiry ran out in the journal fails that record', () => {
    const r = mapRecord(rec({ properties: { messageExpiryInterval: 5 } }), base, 1_000_000 + 7_000);
    assert.ok('error' in r);
    assert.match(r.error, /expired before it could be bridged: its message expiry interval of 5 s ran out 2 s ago/);
    assert.ok('error' in mapRecord(rec({ properties: { messageExpiryInterval: 5 } }), { ...base, v5: false }, 1_000_000 + 5_000));
  });

  test('a packet above the target Maximum Packet Size fails that record', () => {
    const idProperty = { userProperties: { sluice_id: 'e-1' } };
    const size = publishPacketBytes('b/a/b', 3, 1, idProperty);
    // fixed header, remaining length, topic, packet id, property length, the user property (1 + 2+9 + 2+3), payload
    assert.equal(size, 1 + 1 + (2 + 5) + 2 + 1 + (1 + 11 + 5) + 3);
    assert.ok(!('error' in mapRecord(rec(), { ...base, maxPacketBytes: size }, 1_000_000)));
    const r = mapRecord(rec(), { ...base, maxPacketBytes: size - 1 }, 1_000_000);
    assert.ok('error' in r);
    assert.match(r.error, new RegExp(`PUBLISH packet is ${size} bytes and the target broker accepts at most ${size - 1}`));
    // a 200-byte payload needs a 2-byte remaining length; properties count
    assert.equal(publishPacketBytes('t', 200, 0, { contentType: 'ab', userProperties: { k: ['v', 'w'] } }), 1 + 2 + 3 + 1 + (5 + 14) + 200);
  });

  test('a bad target topic fails that record', () => {
    const r = mapRecord(rec({ topic: 'a' }), { ...base, template: compileTopicTemplate('', '${topic[2]}') }, 0);
    assert.ok('error' in r);
  });
});

describe('config and client', () => {
  test('client id: <prefix>_<name>, <prefix>_<tenant>:<name> outside the default tenant, hashed when too long', () => {
    assert.equal(bridgeClientId('sluice', 'default', 'edge', 'v5'), 'sluice_edge');
    assert.equal(bridgeClientId('sluice', 't1', 'edge', 'v4'), 'sluice_t1:edge');
    // names are [A-Za-z0-9_.-]: the separator keeps a_b/c, a/b_c and default/a_b_c apart
    const ids = [bridgeClientId('p', 'a_b', 'c', 'v5'), bridgeClientId('p', 'a', 'b_c', 'v5'), bridgeClientId('p', 'default', 'a_b_c', 'v5')];
    assert.equal(new Set(ids).size, 3, ids.join(' '));
    const long = bridgeClientId('sluice', 'default', 'x'.repeat(80), 'v5');
    assert.equal(long.length, 64);
    assert.match(long, /^sluice_[0-9a-f]+$/);
    const v3 = bridgeClientId('sluice', 'default', 'a-longer-connector-name', 'v3');
    assert.equal(v3.length, 23);
    assert.notEqual(v3, bridgeClientId('sluice', 'default', 'a-longer-connector-name2', 'v3'));
  });

  test('target: TLS by scheme or enable_tls; the label has no credentials', () => {
    const cfg = sinkConfig(mqttType, { server: 'mqtt://u:secret@h.example:1884/' });
    assert.deepEqual(targetOf(cfg), { url: 'mqtt://u:secret@h.example:1884/', label: 'h.example:1884', host: 'h.example', port: 1884, tls: false });
    assert.deepEqual(targetOf({ ...cfg, server: 'mqtt://h', enable_tls: true }), { url: 'mqtts://h', label: 'h:8883', host: 'h', port: 8883, tls: true });
    assert.equal(targetOf({ ...cfg, server: 'ws://h/mqtt', enable_tls: true }).url, 'wss://h/mqtt');
    assert.equal(targetOf({ ...cfg, server: 'wss://h/mqtt' }).label, 'h:443');
  });

  test('client options: protocol ids, no offline queue, clean start, TLS material', () => {
    const cfg = sinkConfig(mqttType, { server: 'mqtt://h', protocol_version: 'v3', username: 'u', password: 'p', tls_ca: 'CA', tls_insecure_skip_verify: true, keepalive_secs: 5, connect_timeout_secs: 2 });
    const o = clientOptions(cfg, 'id');
    assert.equal(o.protocolVersion, 3);
    assert.equal(o.protocolId, 'MQIsdp');
    assert.equal(o.queueQoSZero, false);
    assert.equal(o.clean, true);
    assert.equal(o.keepalive, 5);
    assert.equal(o.connectTimeout, 2000);
    assert.equal(o.rejectUnauthorized, false);
    assert.equal(o.ca, 'CA');
    assert.deepEqual([o.username, o.password], ['u', 'p']);
    assert.equal(clientOptions(sinkConfig(mqttType, { server: 'mqtt://h' }), 'id').protocolVersion, 5);
  });
});
