// The contract's classification rule (src/connectors/sink.ts) for the sinks whose classifiers have
// no test file of their own: the MQTT bridge's PUBACK reason codes and the file sink's I/O errors.
// (HTTP statuses: webhook-sink.test.ts; ClickHouse codes: clickhouse-mapping.test.ts; Kafka
// protocol errors: kafka-sink.test.ts; InfluxDB answers: influxdb-mapping.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorWithReasonCode } from 'mqtt';
import { ioError, ioErrorKind } from '../../src/connectors/file/errors.js';
import { publishError, pubackKind } from '../../src/connectors/mqtt/errors.js';
import { batchResult, mapBatch } from '../../src/connectors/batch-mapping.js';
import { notStarted } from '../../src/connectors/sink.js';

test('mqtt: PUBACK codes about the message are permanent, transient ones retriable, the rest unavailable', () => {
  for (const code of [0x90, 0x95, 0x99]) assert.equal(pubackKind(code), 'permanent', code.toString(16));
  for (const code of [0x91, 0x97]) assert.equal(pubackKind(code), 'retriable', code.toString(16));
  for (const code of [0x80, 0x83, 0x87, 0x9a, undefined, 0x10]) assert.equal(pubackKind(code), 'unavailable', String(code));
  const refused = publishError(new ErrorWithReasonCode('Not authorized', 0x87), 'a/b', 'broker:1883');
  assert.equal(refused.kind, 'unavailable');
  assert.match(refused.message, /broker:1883 refused the publish to "a\/b": Not authorized \(reason code 0x87\); check username, password and the broker ACL/);
  assert.equal(publishError(new Error('client disconnecting'), 'a/b', 'broker:1883').kind, 'unavailable');
});

test('file: no I/O error is about a record; a momentary refusal is retriable, the rest unavailable', () => {
  const err = (code: string): Error => Object.assign(new Error(`${code}: x`), { code });
  for (const code of ['EAGAIN', 'EINTR', 'EBUSY']) assert.equal(ioErrorKind(err(code)), 'retriable', code);
  for (const code of ['EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOTDIR', 'ENOSPC', 'EDQUOT', 'EIO', 'EFBIG', 'EMFILE', 'ENOENT']) {
    assert.equal(ioErrorKind(err(code)), 'unavailable', code);
  }
  assert.equal(ioErrorKind(new Error('no code')), 'unavailable');
  assert.equal(ioError('write', '/x', err('EACCES')).message, 'file sink: cannot write /x: EACCES: x');
});

test('notStarted: the one refusal every sink gives outside init … cleanup', () => {
  const e = notStarted('webhook');
  assert.equal(e.kind, 'unavailable');
  assert.equal(e.message, 'webhook sink: not started (sendBatch before init() or after cleanup())');
});

test('mapBatch: a refused record fails alone as permanent, item failures come back to batch indexes', () => {
  const recs = ['a', 'BAD', 'c', 'THROW'].map((p, i) => ({ id: `e-${i}`, offset: i, topic: 't', payload: Buffer.from(p), qos: 1 as const, retain: false, timestamp: 0 }));
  const batch = mapBatch(recs, (r) => {
    const p = r.payload.toString();
    if (p === 'THROW') throw new Error('cannot map');
    return p === 'BAD' ? { error: 'bad payload' } : p;
  }, 'x');
  assert.deepEqual(batch.items, ['a', 'c']);
  assert.deepEqual(batch.at, [0, 2]);
  const result = batchResult(batch, [{ index: 1, error: notStarted('y') }]);
  assert.deepEqual(result.failed.map((f) => [f.index, f.error.kind, f.error.message]), [
    [1, 'permanent', 'x: bad payload'],
    [2, 'unavailable', 'y sink: not started (sendBatch before init() or after cleanup())'],
    [3, 'permanent', 'x: cannot map'],
  ]);
});
