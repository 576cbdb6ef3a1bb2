// The postgres and mysql config schemas through checkConfig: RobustMQ's fields and rules, and
// sql_template's placeholder rules (named or RobustMQ's positional form, never both, never in quotes).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FieldError } from '../../src/errors.js';
import { checkConfig } from '../../src/metadata/config-validation.js';
import { parseConnectorType } from '../../src/metadata/registry.js';
import { blankQuoted, insertColumns, parseSqlTemplate, quoteIdentifier, quoteTable } from '../../src/metadata/sql-statement.js';

type Cfg = Record<string, unknown>;
const BASE: Cfg = { host: 'localhost', database: 'mqtt_data', username: 'u', table: 'mqtt_messages' };
const errors = (type: string, extra: Cfg): FieldError[] => checkConfig(parseConnectorType(type), { ...BASE, ...extra }).errors;

for (const [type, positional, port] of [['postgres', 'INSERT INTO t (a, b, c, d, e) VALUES ($1, $2, $3, $4, $5)', 5432], ['mysql', 'INSERT INTO t (k, p, ts) VALUES (?, ?, ?)', 3306]] as const) {
  describe(`${type} config`, () => {
    test("RobustMQ's defaults", () => {
      const r = checkConfig(parseConnectorType(type), BASE);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(
        { port: r.config?.port, password: r.config?.password, pool_size: r.config?.pool_size, enable_upsert: r.config?.enable_upsert, connect_timeout_secs: r.config?.connect_timeout_secs, acquire_timeout_secs: r.config?.acquire_timeout_secs, idle_timeout_secs: r.config?.idle_timeout_secs, max_lifetime_secs: r.config?.max_lifetime_secs, batch_size: r.config?.batch_size, min_pool_size: r.config?.min_pool_size },
        { port, password: '', pool_size: 10, enable_upsert: false, connect_timeout_secs: 10, acquire_timeout_secs: 30, idle_timeout_secs: 600, max_lifetime_secs: 1800, batch_size: 100, min_pool_size: 2 },
      );
    });

    test('required fields and table names', () => {
      const r = checkConfig(parseConnectorType(type), {});
      assert.deepEqual(r.errors.map((e) => e.path), ['config.host', 'config.database', 'config.username', 'config.table']);
      assert.deepEqual(errors(type, { table: 'public.messages' }), []);
      for (const table of ['a;b', 'a b', '1abc', 'a.b.c', 'x"y']) assert.equal(errors(type, { table })[0]?.path, 'config.table', table);
    });

    test('rules across fields', () => {
      assert.deepEqual(errors(type, { enable_upsert: true }), [{ path: 'config.conflict_columns', rule: 'is required when enable_upsert is true' }]);
      assert.deepEqual(errors(type, { enable_upsert: true, conflict_columns: 'client_id, topic' }), []);
      assert.equal(errors(type, { conflict_columns: 'a; drop' })[0]?.path, 'config.conflict_columns');
      assert.deepEqual(errors(type, { pool_size: 3, min_pool_size: 4 }), [{ path: 'config.min_pool_size', rule: 'must not be greater than pool_size (3)' }]);
      assert.deepEqual(errors(type, { sql_template: positional, enable_batch_insert: true }), [{ path: 'config.enable_batch_insert', rule: 'cannot be true with sql_template (a template runs once per record): unset one of them' }]);
      assert.equal(errors(type, { sql_template: positional, create_table: true })[0]?.path, 'config.create_table');
      assert.deepEqual(errors(type, { pool_size: 1000 }), []);
      assert.equal(errors(type, { pool_size: 1001 })[0]?.path, 'config.pool_size');
    });

    test('sql_template: positional or named, never both, never inside quotes, variables known', () => {
      assert.deepEqual(errors(type, { sql_template: positional }), []);
      assert.deepEqual(errors(type, { sql_template: 'INSERT INTO t (a, b) VALUES (${topic}, ${payload.x})' }), []);
      const rule = (sql: string): string | undefined => errors(type, { sql_template: sql })[0]?.rule;
      assert.match(rule('INSERT INTO t (a) VALUES (1)') ?? '', /needs placeholders/);
      assert.match(rule(`${positional.replace(/\)$/, '')}, \${topic})`) ?? '', /mixes named placeholders/);
      assert.match(rule("INSERT INTO t (a) VALUES ('${topic}')") ?? '', /inside quotes/);
      assert.match(rule('INSERT INTO t (a) VALUES (${nope})') ?? '', /unknown variable \$\{nope\}/);
      assert.match(errors(type, { sql_template: 'WITH x AS (SELECT ${topic}) INSERT INTO t SELECT * FROM x', enable_upsert: true, conflict_columns: 'a' })[0]?.rule ?? '', /INSERT INTO <table> \(<columns>\) VALUES/);
    });
  });
}

describe('sql statements', () => {
  test('postgres positional needs exactly $1..$5; a $ inside a string or a dollar-quoted body does not count', () => {
    assert.ok('error' in parseSqlTemplate('INSERT INTO t VALUES ($1, $2, $3, $4)', 'postgres'));
    assert.ok('error' in parseSqlTemplate('INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6)', 'postgres'));
    assert.ok('template' in parseSqlTemplate("INSERT INTO t VALUES ($1, $2, $3, $4, $5, '$6', $$ $7 $$)", 'postgres'));
  });

  test('mysql positional counts ? outside strings and comments', () => {
    assert.ok('template' in parseSqlTemplate("INSERT INTO t VALUES (?, ?, ?, 'what?') -- really?", 'mysql'));
    assert.ok('error' in parseSqlTemplate('INSERT INTO t VALUES (?, ?)', 'mysql'));
  });

  test('named placeholders become $n / ? in order', () => {
    const pg = parseSqlTemplate('INSERT INTO t (a, b) VALUES (${topic}, ${payload.x:-0})', 'postgres');
    assert.ok('template' in pg && pg.template.kind === 'named');
    assert.equal(pg.template.sql, 'INSERT INTO t (a, b) VALUES ($1, $2)');
    const my = parseSqlTemplate('INSERT INTO t (a, b) VALUES (${topic}, ${id})', 'mysql');
    assert.ok('template' in my && my.template.sql === 'INSERT INTO t (a, b) VALUES (?, ?)');
  });

  test('blankQuoted keeps positions and blanks strings, identifiers and comments', () => {
    const sql = `SELECT 'a''b', "x", /* c */ 1 -- d`;
    const b = blankQuoted(sql, 'postgres');
    assert.equal(b.length, sql.length);
    assert.equal(b.replace(/\s+/g, ' ').trim(), 'SELECT , , 1');
    assert.equal(blankQuoted("'a\\'b' ?", 'mysql').trim(), '?');
  });

  test('identifiers are validated and quoted; postgres folds them to lower case', () => {
    assert.equal(quoteTable('Public.Messages', 'postgres'), '"public"."messages"');
    assert.equal(quoteTable('db.Messages', 'mysql'), '`db`.`Messages`');
    assert.throws(() => quoteIdentifier('a"b', 'postgres'), /not a plain identifier/);
    assert.deepEqual(insertColumns('INSERT INTO t ("a", `b`, c) VALUES (1)'), ['a', 'b', 'c']);
    assert.equal(insertColumns('UPDATE t SET a = 1'), undefined);
  });
});
