// Every mapping carries the record's stable id (SinkRecord.id) to the target, so that endpoints
// can deduplicate redeliveries: the webhook body, the file's JSON line, the Kafka header
// `sluice_id`, the ClickHouse `id_column` (raw and json), the MQTT 5 user property `sluice_id`,
// the Elasticsearch document `_id`.
// The conformance suite reads the id back from each real target.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRawTableSql, mapRecord, rawColumnProblems } from '../../src/connectors/clickhouse/mapping.js';
import { IndexMapper } from '../../src/connectors/elasticsearch/mapping.js';
import { encodeLine } from '../../src/connectors/file/mapping.js';
import { recordHeaders } from '../../src/connectors/kafka/mapping.js';
import { ID_USER_PROPERTY, mapRecord as mqttPublish } from '../../src/connectors/mqtt/mapping.js';
import { compileTopicTemplate } from '../../src/connectors/mqtt/topic-template.js';
import type { SinkRecord } from '../../src/connectors/sink.js';
import { batchBody } from '../../src/connectors/webhook/mapping.js';

const rec = (payload: string, extra: Partial<SinkRecord> = {}): SinkRecord => ({ id: '7f3a-00000042', offset: 42, topic: 'a/b', payload: Buffer.from(payload), qos: 1, retain: false, timestamp: 1_790_000_000_000, ...extra });

test('webhook body and file line: `id` first in the record JSON', () => {
  assert.deepEqual((JSON.parse(batchBody([rec('x')])) as { id: string }[]).map((r) => r.id), ['7f3a-00000042']);
  assert.match(encodeLine(rec('x'), 'json_lines').toString(), /^\{"id":"7f3a-00000042","topic":"a\/b"/);
  assert.equal(encodeLine(rec('x'), 'raw').toString(), 'x\n', 'raw lines are the payload only');
});

test('kafka: header sluice_id', () => {
  assert.equal(recordHeaders(rec('x')).sluice_id, '7f3a-00000042');
});

test('clickhouse: id_column in raw and json rows, and in the created table', () => {
  assert.equal(JSON.parse((mapRecord(rec('x'), 'raw', 'sluice_id') as { row: string }).row).sluice_id, '7f3a-00000042');
  assert.equal('sluice_id' in JSON.parse((mapRecord(rec('x'), 'raw') as { row: string }).row), false, 'off by default');
  assert.deepEqual(mapRecord(rec(' {"n": 18446744073709551615} '), 'json', 'rid'), { row: '{"rid":"7f3a-00000042","n": 18446744073709551615}' }, 'the payload text is kept, digits and all');
  assert.deepEqual(mapRecord(rec('{ }'), 'json', 'rid'), { row: '{"rid":"7f3a-00000042"}' });
  assert.deepEqual(mapRecord(rec('{"rid":"mine"}'), 'json', 'rid'), { error: 'payload has a field "rid", the id_column: the record id would be ambiguous' });
  assert.match(createRawTableSql('d', 't', 'rid'), /\(\n {2}`rid` String,\n {2}topic String,/);
  const raw = [['topic', 'String'], ['payload', 'String'], ['qos', 'UInt8'], ['retain', 'UInt8'], ['timestamp', 'UInt64']].map(([name, type]) => ({ name: name as string, type: type as string }));
  assert.deepEqual(rawColumnProblems(raw, 'rid'), ['no column rid']);
  assert.deepEqual(rawColumnProblems([...raw, { name: 'rid', type: 'UInt64' }], 'rid'), ['column rid is UInt64 but needs a String (id_column)']);
  assert.deepEqual(rawColumnProblems([...raw, { name: 'rid', type: 'String' }], 'rid'), []);
});

test('mqtt: user property sluice_id towards an MQTT 5 target, replacing one of that name; none for 3.1.1', () => {
  const settings = { template: compileTopicTemplate('', '${topic}'), qos: 1 as const, retain: false, v5: true };
  const p = mqttPublish(rec('x', { properties: { userProperties: { site: 'paris', [ID_USER_PROPERTY]: 'spoofed' } } }), settings, 1_790_000_000_000);
  assert.ok(!('error' in p));
  assert.deepEqual(p.options.properties?.userProperties, { site: 'paris', sluice_id: '7f3a-00000042' });
  const v4 = mqttPublish(rec('x'), { ...settings, v5: false }, 1_790_000_000_000);
  assert.ok(!('error' in v4));
  assert.equal(v4.options.properties, undefined);
});

test('elasticsearch: the bulk action\'s _id', () => {
  const [action] = new IndexMapper('mqtt').item(rec('{"a":1}')).lines.split('\n');
  assert.deepEqual(JSON.parse(action as string), { index: { _index: 'mqtt', _id: '7f3a-00000042' } });
});
