// The rabbitmq type without a broker: the config's defaults and rules, a record as an AMQP
// message, and the contract kind of each failure.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchError, hintFor, isMessageTooLarge, rabbitmqErrorKind } from '../../src/connectors/rabbitmq/errors.js';
import { MessageMapper, type AmqpMessage } from '../../src/connectors/rabbitmq/mapping.js';
import type { SinkRecord } from '../../src/connectors/sink.js';
import { checkConfig } from '../../src/metadata/config-validation.js';
import { rabbitmqType, type RabbitmqConfig } from '../../src/metadata/configs/rabbitmq.js';

function config(c: Record<string, unknown> = {}): RabbitmqConfig {
  const r = checkConfig(rabbitmqType, { server: 'localhost', exchange: 'x', ...c });
  assert.deepEqual(r.errors, []);
  return r.config as unknown as RabbitmqConfig;
}

const rec = (over: Partial<SinkRecord> = {}): SinkRecord => ({ id: 'id-1', offset: 1, topic: 'sensors/hall-a/temp', payload: Buffer.from('{"rk":"a.b"}'), qos: 1, retain: false, timestamp: 1_790_000_000_999, ...over });

describe('config', () => {
  test('RobustMQ\'s API snippet without password and routing_key: sensible defaults', () => {
    const c = config({ username: 'guest' });
    assert.equal(c.password, 'guest');
    assert.equal(c.routing_key, undefined);
    assert.equal(c.port, 5672);
    assert.equal(c.virtual_host, '/');
    assert.equal(c.delivery_mode, 'Persistent');
    assert.equal(c.mandatory, true);
    assert.equal(c.publisher_confirms, true);
  });

  test('rules name their field', () => {
    const errors = (c: Record<string, unknown>): { path: string; rule: string }[] => checkConfig(rabbitmqType, { server: 'localhost', exchange: 'x', ...c }).errors;
    assert.deepEqual(errors({ routing_key: 'a.${nope}' }).map((e) => e.path), ['config.routing_key']);
    assert.deepEqual(errors({ username: '' }), [{ path: 'config.username', rule: 'must not be empty' }]);
    assert.deepEqual(errors({ delivery_mode: 'persistent' }).map((e) => e.path), ['config.delivery_mode']);
    assert.deepEqual(errors({ frame_max: 100, confirm_timeout_secs: 0 }).map((e) => e.path), ['config.frame_max', 'config.confirm_timeout_secs']);
    assert.deepEqual(checkConfig(rabbitmqType, { server: 'localhost' }).errors, [{ path: 'config.exchange', rule: 'is required' }]);
  });
});

describe('a record as an AMQP message', () => {
  test('unset routing_key: the topic with / as .; a template renders; the body is the payload', () => {
    const m = new MessageMapper(config()).map(rec()) as AmqpMessage;
    assert.equal(m.routingKey, 'sensors.hall-a.temp');
    assert.deepEqual(m.content, Buffer.from('{"rk":"a.b"}'));
    assert.equal((new MessageMapper(config({ routing_key: 'iot.${payload.rk}' })).map(rec()) as AmqpMessage).routingKey, 'iot.a.b');
    assert.equal((new MessageMapper(config({ routing_key: '' })).map(rec()) as AmqpMessage).routingKey, '');
  });

  test('a routing key without a value or over 255 bytes refuses the record', () => {
    const m = new MessageMapper(config({ routing_key: '${payload.missing}' }));
    assert.match((m.map(rec()) as { error: string }).error, /\$\{payload\.missing\} has no value/);
    const long = new MessageMapper(config({ routing_key: '${payload}' }));
    assert.match((long.map(rec({ payload: Buffer.from('x'.repeat(256)) })) as { error: string }).error, /routing key of 256 bytes .* at most 255/);
  });

  test('properties and headers from the MQTT metadata', () => {
    const m = new MessageMapper(config({ delivery_mode: 'NonPersistent', mandatory: false })).map(rec({ properties: { contentType: 'text/plain', responseTopic: 'r/1', messageExpiryInterval: 5, userProperties: { a: '1' } } })) as AmqpMessage;
    assert.deepEqual(m.options, {
      messageId: 'id-1', timestamp: 1_790_000_000, deliveryMode: 1, mandatory: false, contentType: 'text/plain', replyTo: 'r/1', expiration: '5000',
      headers: { mqtt_topic: 'sensors/hall-a/temp', mqtt_qos: 1, mqtt_retain: false, mqtt_timestamp_ms: 1_790_000_000_999, mqtt_user_properties: { a: '1' } },
    });
  });
});

describe('failures → contract kinds', () => {
  const closed = (code: number, text: string): Error => Object.assign(new Error(`Channel closed by server: ${code} (${text.split(' ')[0]?.replace('_', '-')}) with message "${text}"`), { code });

  test('a size refusal is permanent; every other close, refusal or network error unavailable', () => {
    const big = closed(406, 'PRECONDITION_FAILED - message size 70000 is larger than configured max size 65536');
    assert.ok(isMessageTooLarge(big));
    assert.equal(rabbitmqErrorKind(big), 'permanent');
    for (const e of [closed(404, 'NOT_FOUND - no exchange \'x\' in vhost \'/\''), closed(403, 'ACCESS_REFUSED - write access to exchange'), closed(406, 'PRECONDITION_FAILED - inequivalent arg'), closed(320, 'CONNECTION_FORCED - broker forced connection closure'), Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' }), new Error('channel closed')]) {
      assert.equal(rabbitmqErrorKind(e), 'unavailable', e.message);
    }
  });

  test('hints for what an operator fixes', () => {
    assert.match(hintFor(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"')), /check username, password/);
    assert.match(hintFor(new Error('Connection closed: 530 (NOT-ALLOWED) with message "NOT_ALLOWED - vhost /x not found"')), /virtual host exists/);
    assert.match(batchError(closed(404, 'NOT_FOUND - no exchange \'x\' in vhost \'/\''), 'h:1').message, /^rabbitmq: publishing to h:1 failed: .*NOT_FOUND.*; declare the exchange/);
  });
});
