import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePayload, recordJsonText, recordToJson } from '../../src/connectors/record-json.js';
import type { SinkRecord } from '../../src/connectors/sink.js';

function rec(payload: Buffer, extra: Partial<SinkRecord> = {}): SinkRecord {
  return { id: 'e-7', offset: 7, topic: 'site/a/temp', payload, qos: 1, retain: false, timestamp: 1_790_000_000_123, ...extra };
}

test('valid UTF-8 (with emoji) stays text, in the documented key order', () => {
  const text = 'temp=21.5°C 🌡️ ok';
  const json = recordToJson(rec(Buffer.from(text, 'utf8')));
  assert.deepEqual(json, { id: 'e-7', topic: 'site/a/temp', payload: text, payload_encoding: 'utf8', qos: 1, retain: false, timestamp: 1_790_000_000_123, offset: 7 });
  assert.deepEqual(Object.keys(json), ['id', 'topic', 'payload', 'payload_encoding', 'qos', 'retain', 'timestamp', 'offset']);
  assert.equal(JSON.stringify(json), `{"id":"e-7","topic":"site/a/temp","payload":"${text}","payload_encoding":"utf8","qos":1,"retain":false,"timestamp":1790000000123,"offset":7}`);
});

test('invalid UTF-8 becomes base64 and round-trips exactly', () => {
  const cases = [
    Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]),
    Buffer.from([0x61, 0xc3]), // truncated 2-byte sequence
    Buffer.from([0xc0, 0xaf]), // overlong encoding of '/'
    Buffer.from([0xed, 0xa0, 0x80]), // UTF-16 surrogate encoded in UTF-8
    Buffer.concat([Buffer.from('{"ok":true}'), Buffer.from([0xfe])]),
  ];
  for (const bytes of cases) {
    const json = recordToJson(rec(bytes));
    assert.equal(json.payload_encoding, 'base64', bytes.toString('hex'));
    assert.equal(json.payload, bytes.toString('base64'));
    assert.ok(Buffer.from(json.payload, 'base64').equals(bytes));
    assert.ok(decodePayload(json.payload, json.payload_encoding).equals(bytes));
  }
});

test('valid UTF-8 round-trips exactly, including a BOM and NUL bytes', () => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a\u0000b\n"q"\\ 日本', 'utf8')]);
  const json = recordToJson(rec(bytes));
  assert.equal(json.payload_encoding, 'utf8');
  const back = JSON.parse(JSON.stringify(json)) as { payload: string };
  assert.ok(Buffer.from(back.payload, 'utf8').equals(bytes));
});

test('an empty payload is an empty utf8 string', () => {
  const json = recordToJson(rec(Buffer.alloc(0)));
  assert.equal(json.payload, '');
  assert.equal(json.payload_encoding, 'utf8');
});

test('a payload that is a slice of a larger buffer encodes only its own bytes', () => {
  const big = Buffer.from([0x41, 0xff, 0x42, 0x43]);
  assert.equal(recordToJson(rec(big.subarray(2))).payload, 'BC');
  assert.equal(recordToJson(rec(big.subarray(1, 3))).payload, Buffer.from([0xff, 0x42]).toString('base64'));
});

test('MQTT 5 properties map to snake_case, correlation data as base64', () => {
  const json = recordToJson(
    rec(Buffer.from('x'), {
      qos: 2,
      retain: true,
      properties: {
        contentType: 'application/json',
        payloadFormatIndicator: true,
        responseTopic: 'reply/1',
        correlationData: Buffer.from([0x00, 0xff, 0x10]),
        userProperties: { a: '1', b: ['2', '3'] },
        messageExpiryInterval: 60,
      },
    }),
  );
  assert.equal(json.qos, 2);
  assert.equal(json.retain, true);
  assert.deepEqual(json.properties, {
    content_type: 'application/json',
    payload_format_indicator: true,
    response_topic: 'reply/1',
    correlation_data: 'AP8Q',
    user_properties: { a: '1', b: ['2', '3'] },
    message_expiry_interval: 60,
  });
});

test('absent or empty properties are left out; partial ones keep only what is set', () => {
  assert.equal('properties' in recordToJson(rec(Buffer.from('x'))), false);
  assert.equal('properties' in recordToJson(rec(Buffer.from('x'), { properties: {} })), false);
  assert.deepEqual(recordToJson(rec(Buffer.from('x'), { properties: { contentType: 'text/plain' } })).properties, { content_type: 'text/plain' });
});

test('a record without an offset has no offset key', () => {
  const { offset: _offset, ...noOffset } = rec(Buffer.from('x'));
  assert.equal('offset' in recordToJson(noOffset), false);
});

describe('recordJsonText', () => {
  test('is JSON.stringify(recordToJson(record)) byte for byte, whatever the record holds', () => {
    const topics = ['t/a', 'sensors/ü/温度', 'quote"back\\slash', 'ctl\u0001\n', ''];
    const payloads = [Buffer.from('{"seq":1}'), Buffer.from('\ufefftext with BOM'), Buffer.from([0xff, 0xfe, 0x00]), Buffer.alloc(0), Buffer.from('line\nbreak "q" \u2028'), Buffer.from('abc').subarray(1)];
    const props: (SinkRecord['properties'])[] = [
      undefined,
      {},
      { contentType: 'application/json', payloadFormatIndicator: true, responseTopic: 'r/"x"', correlationData: Buffer.from([1, 2, 250]), userProperties: { a: '1', b: ['x', 'y'] }, messageExpiryInterval: 30 },
      { userProperties: { 'k"ey': 'v\n' } },
    ];
    let n = 0;
    for (const topic of topics)
      for (const payload of payloads)
        for (const properties of props)
          for (const offset of [undefined, 0, 123_456_789]) {
            const r = { id: `abc-${n++}`, topic, payload, qos: (n % 3) as 0 | 1 | 2, retain: n % 2 === 0, timestamp: 1_700_000_000_000 + n, ...(offset === undefined ? {} : { offset }), ...(properties ? { properties } : {}) };
            assert.equal(recordJsonText(r), JSON.stringify(recordToJson(r)));
          }
    assert.ok(n > 300);
  });
});
