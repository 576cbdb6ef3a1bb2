// "Did you mean" ranking and the log format choice, as plain functions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prettyLine, usePrettyLogs } from '../src/core/pretty-log.js';
import { closest, editDistance } from '../src/admin/cli/suggest.js';

test('closest: near misses, swapped letters and prefixes; nothing for a far-off name', () => {
  assert.equal(editDistance('fiel', 'file'), 1);
  assert.equal(closest('fiel', ['kafka', 'clickhouse', 'file', 'webhook']), 'file');
  assert.equal(closest('webhok', ['kafka', 'file', 'webhook']), 'webhook');
  assert.equal(closest('topic', ['name', 'tenant', 'type', 'topic_filter', 'config']), 'topic_filter');
  assert.equal(closest('rotation', ['local_file_path', 'format', 'rotation_strategy', 'fsync']), 'rotation_strategy');
  assert.equal(closest('fsyncc', ['format', 'fsync']), 'fsync');
  assert.equal(closest('zzzzzz', ['format', 'fsync']), undefined);
  assert.equal(closest('file', ['file']), undefined);
});

test('logs: pretty on a terminal or when asked, JSON otherwise', () => {
  assert.equal(usePrettyLogs('auto', true), true);
  assert.equal(usePrettyLogs('auto', false), false);
  assert.equal(usePrettyLogs('json', true), false);
  assert.equal(usePrettyLogs('pretty', false), true);
  const line = prettyLine(JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 1, 12, 0, 1, 234), pid: 1, hostname: 'h', msg: 'connector failed', connector: 'orders', err: { message: 'boom' } }), false);
  assert.equal(line, '12:00:01.234 ERROR connector failed  connector=orders err="boom"\n');
});
