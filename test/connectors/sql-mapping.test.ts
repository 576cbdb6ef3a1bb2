// The pure parts of the postgres and mysql sinks: the default row's values, template binding
// (named and RobustMQ's positional order), the upsert clause, and the error kinds by SQLSTATE.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresErrorKind } from '../../src/connectors/postgres/errors.js';
import { insertSql } from '../../src/connectors/postgres/mapping.js';
import type { SinkRecord } from '../../src/connectors/sink.js';
import { defaultRow, lastPerKey, rowColumns, timestampText } from '../../src/connectors/sql/default-row.js';
import { compileTemplateStatement, upsertClause } from '../../src/connectors/sql/template-statement.js';

const rec: SinkRecord = { id: 'r1', offset: 3, topic: 'a/b', payload: Buffer.from('{"x":1}'), qos: 1, retain: true, timestamp: 1_790_000_000_123 };

describe('default row', () => {
  test('values in column order; timestamps in UTC with ms', () => {
    const cols = rowColumns(['id', 'topic', 'payload', 'qos', 'retain', 'timestamp', 'payload_json', 'extra']);
    assert.ok('columns' in cols);
    assert.deepEqual(cols.columns, ['id', 'topic', 'payload', 'payload_json', 'qos', 'retain', 'timestamp']);
    assert.deepEqual(defaultRow(rec, cols.columns, 'postgres'), ['r1', 'a/b', '{"x":1}', '{"x":1}', 1, true, '2026-09-21T14:13:20.123Z']);
    assert.equal(timestampText(rec.timestamp, 'mysql'), '2026-09-21 14:13:20.123');
    assert.deepEqual(rowColumns(['id']), { missing: ['topic', 'payload', 'qos', 'retain', 'timestamp'] });
  });

  test('a payload that is not text needs payload_bytes; NUL is text for mysql, bytes for postgres', () => {
    const nul = { ...rec, payload: Buffer.from('a\u0000b') };
    assert.ok('error' in (defaultRow(nul, ['id', 'payload'], 'postgres') as object));
    assert.deepEqual(defaultRow(nul, ['payload', 'payload_bytes', 'payload_binary'], 'postgres'), [null, nul.payload, true]);
    assert.deepEqual(defaultRow(nul, ['payload', 'payload_bytes', 'payload_binary'], 'mysql'), ['a\u0000b', null, false]);
  });

  test('upsert keeps the last row of each key', () => {
    assert.deepEqual(lastPerKey(['a', 'b', 'a', 'c', 'b'], (r) => r), [2, 3, 4]);
  });
});

describe('templates', () => {
  test("positional binds follow RobustMQ's order", () => {
    const pg = compileTemplateStatement('INSERT INTO t VALUES ($1, $2, $3, $4, $5)', 'postgres');
    assert.deepEqual(pg.bind(rec), ['r1', 'a/b', 1_790_000_000, '{"x":1}', rec.payload]);
    const my = compileTemplateStatement('INSERT INTO t VALUES (?, ?, ?)', 'mysql');
    const [key, payload, ts] = my.bind(rec) as unknown[];
    assert.equal(key, 'r1');
    assert.equal(ts, 1_790_000_000);
    assert.deepEqual(JSON.parse(payload as string), { id: 'r1', topic: 'a/b', payload: '{"x":1}', payload_encoding: 'utf8', qos: 1, retain: true, timestamp: rec.timestamp, offset: 3 });
  });

  test('named binds: JSON values keep their type, objects become JSON text, a binary payload its bytes', () => {
    const t = compileTemplateStatement('INSERT INTO t VALUES (${payload.x}, ${payload}, ${qos}, ${payload.o})', 'postgres');
    assert.deepEqual(t.bind({ ...rec, payload: Buffer.from('{"x":1,"o":{"k":[1]}}') }), [1, '{"x":1,"o":{"k":[1]}}', 1, '{"k":[1]}']);
    const bin = Buffer.from([0xff]);
    const raw = compileTemplateStatement('INSERT INTO t VALUES (${payload})', 'postgres');
    assert.deepEqual(raw.bind({ ...rec, payload: bin }), [bin]);
  });

  test('upsert clauses', () => {
    assert.equal(upsertClause(['device', 'temp'], ['device'], 'postgres'), 'ON CONFLICT ("device") DO UPDATE SET "temp" = EXCLUDED."temp"');
    assert.equal(upsertClause(['device'], ['device'], 'postgres'), 'ON CONFLICT ("device") DO NOTHING');
    assert.equal(upsertClause(['device', 'temp'], ['device'], 'mysql'), 'ON DUPLICATE KEY UPDATE `temp` = VALUES(`temp`)');
    const t = compileTemplateStatement('INSERT INTO latest (device, temp) VALUES (${topic}, ${payload.x});', 'postgres', { conflictColumns: 'device' });
    assert.equal(t.sql, 'INSERT INTO latest (device, temp) VALUES ($1, $2) ON CONFLICT ("device") DO UPDATE SET "temp" = EXCLUDED."temp"');
    const own = compileTemplateStatement('INSERT INTO x (a) VALUES (${topic}) ON CONFLICT DO NOTHING', 'postgres', { conflictColumns: 'a' });
    assert.equal(own.sql, 'INSERT INTO x (a) VALUES ($1) ON CONFLICT DO NOTHING');
  });

  test('the batch statement casts each array to its column type', () => {
    assert.equal(insertSql('m', [{ column: 'id', type: 'text' }, { column: 'timestamp', type: 'timestamp(3) with time zone' }]),
      'INSERT INTO "m" ("id", "timestamp") SELECT * FROM unnest($1::text[], $2::timestamp(3) with time zone[]) ON CONFLICT ("id") DO NOTHING');
  });
});

describe('postgres error kinds by SQLSTATE', () => {
  const kind = (code?: string): string => postgresErrorKind(Object.assign(new Error('x'), code === undefined ? {} : { code }));
  test('the contract table', () => {
    for (const c of ['08006', '08001', '28P01', '28000', '53300', '57P01', '57P03', '3D000', '42P01', '42703', '42501', '25006', '57014', '53100', '42P10']) assert.equal(kind(c), 'unavailable', c);
    for (const c of ['40001', '40P01', '55P03']) assert.equal(kind(c), 'retriable', c);
    for (const c of ['22P02', '22001', '22003', '22021', '23502', '23505', '23514', '23503', '21000', '54000']) assert.equal(kind(c), 'permanent', c);
    assert.equal(kind('ECONNREFUSED'), 'unavailable');
    assert.equal(kind(), 'unavailable');
  });
});
