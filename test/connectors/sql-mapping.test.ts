// The pure parts of the postgres and mysql sinks: the default row's values, template binding
// (named and RobustMQ's positional order), the upsert clause, and the error kinds by SQLSTATE.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mysqlErrorKind } from '../../src/connectors/mysql/errors.js';
import { chunkSizes, insertSql as mysqlInsertSql, maxChunkRows } from '../../src/connectors/mysql/mapping.js';
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

describe('mysql statements and error kinds', () => {
  test('a batch is split into power-of-two statements within the placeholder limit', () => {
    assert.equal(maxChunkRows(10), 4096);
    assert.equal(maxChunkRows(7), 8192);
    assert.deepEqual(chunkSizes(5000, 4096), [4096, 512, 256, 128, 8]);
    assert.deepEqual(chunkSizes(10_000, 4096), [4096, 4096, 1024, 512, 256, 16]);
    assert.deepEqual(chunkSizes(1, 4096), [1]);
    for (const n of [1, 3, 100, 4095, 4096, 4097, 12_345]) assert.equal(chunkSizes(n, 4096).reduce((a, b) => a + b, 0), n);
    assert.equal(mysqlInsertSql('db.m', ['id', 'topic'], 2), 'INSERT INTO `db`.`m` (`id`, `topic`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `id` = `id`');
    assert.equal(mysqlInsertSql('m', ['id', 'topic', 'payload'], 1, 'topic'), 'INSERT INTO `m` (`id`, `topic`, `payload`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE `id` = VALUES(`id`), `payload` = VALUES(`payload`)');
  });

  test('the contract table by errno', () => {
    const kind = (errno?: number, code = 'ER_X'): string => mysqlErrorKind(Object.assign(new Error('x'), errno === undefined ? { code } : { errno, code, sqlState: 'HY000' }));
    for (const n of [1040, 1045, 1044, 1049, 1053, 1146, 1054, 1142, 1290, 1927, 1021, 1364]) assert.equal(kind(n), 'unavailable', String(n));
    for (const n of [1205, 1213]) assert.equal(kind(n), 'retriable', String(n));
    for (const n of [1048, 1062, 1264, 1265, 1292, 1366, 1406, 1452, 4025, 3819, 1153]) assert.equal(kind(n), 'permanent', String(n));
    assert.equal(kind(undefined, 'ECONNREFUSED'), 'unavailable');
    assert.equal(kind(undefined, 'PROTOCOL_CONNECTION_LOST'), 'unavailable');
  });
});
