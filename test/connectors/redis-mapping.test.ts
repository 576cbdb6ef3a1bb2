// The redis type without a server: the config's rules, splitting a command template into
// arguments before values go in, the arguments of a record, and the contract kind of each reply.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keySlot, crossSlot } from '../../src/connectors/redis/cluster-slot.js';
import { commandError, redisErrorKind } from '../../src/connectors/redis/errors.js';
import { commandArgs } from '../../src/connectors/redis/mapping.js';
import type { SinkRecord } from '../../src/connectors/sink.js';
import { checkConfig } from '../../src/metadata/config-validation.js';
import { redisType } from '../../src/metadata/configs/redis.js';
import { parseRedisCommand, splitCommandText, type RedisCommand } from '../../src/metadata/redis-command.js';

const errors = (c: Record<string, unknown>): { path: string; rule: string }[] => checkConfig(redisType, { server: '127.0.0.1:6379', command_template: 'SET a b', ...c }).errors;

function command(t: string | string[]): RedisCommand {
  const p = parseRedisCommand(t);
  if ('error' in p) throw new Error(p.error);
  return p.command;
}

const rec = (payload: string | Buffer, topic = 'site/hall a/dev7'): SinkRecord => ({ id: 'id-1', offset: 1, topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 1, retain: false, timestamp: 1_790_000_000_123 });

describe('config', () => {
  test('RobustMQ\'s fields all pass with their defaults', () => {
    const r = checkConfig(redisType, { server: '127.0.0.1:6379', command_template: 'LPUSH mqtt:messages ${payload}' });
    assert.deepEqual(r.errors, []);
    assert.deepEqual({ ...r.config }, { server: '127.0.0.1:6379', command_template: 'LPUSH mqtt:messages ${payload}', mode: 'single', database: 0, tls_enabled: false, connect_timeout_ms: 5000, pool_size: 10, max_retries: 3, retry_interval_ms: 1000 });
    assert.deepEqual(errors({ server: 's1:26379,s2:26379', mode: 'sentinel', sentinel_master_name: 'mymaster', username: 'u', password: 'p', database: 15, tls_enabled: true, connect_timeout_ms: 10000, pool_size: 100, max_retries: 5, retry_interval_ms: 2000 }), []);
  });

  test('rules across fields, each naming its field', () => {
    assert.deepEqual(errors({ mode: 'sentinel' }), [{ path: 'config.sentinel_master_name', rule: 'is required when mode is sentinel' }]);
    assert.deepEqual(errors({ mode: 'cluster', database: 1 }), [{ path: 'config.database', rule: 'must be 0 when mode is cluster (Redis Cluster has only database 0)' }]);
    assert.deepEqual(errors({ server: 'a:1,b:2' }), [{ path: 'config.server', rule: 'takes one host:port when mode is single (several: mode cluster or sentinel)' }]);
    assert.deepEqual(errors({ username: 'u' }), [{ path: 'config.password', rule: 'is required when username is set' }]);
    assert.deepEqual(errors({ database: 16, pool_size: 101 }).map((e) => e.path), ['config.database', 'config.pool_size']);
    assert.deepEqual(errors({ server: 'no-port' }), [{ path: 'config.server', rule: 'expected host:port, or several separated by commas' }]);
  });

  test('command_template: a clear rule for each mistake', () => {
    const rule = (t: unknown): string | undefined => errors({ command_template: t })[0]?.rule;
    assert.equal(rule('${topic} x'), 'the command name "${topic}" must be fixed text, not a variable');
    assert.equal(rule('SET "a b'), 'has an unclosed double quote');
    assert.equal(rule('SET a ${payload'), 'has an unclosed ${');
    assert.match(rule('SET a ${nope}') ?? '', /^argument 2 \("\$\{nope\}"\) unknown variable \$\{nope\}; known: /);
    assert.equal(rule('   '), 'is empty: expected a command and its arguments, e.g. LPUSH mqtt:messages ${payload}');
    assert.equal(rule(['SET', 'k', '${payload}']), undefined);
    assert.equal(rule([]), 'does not match any allowed form');
  });
});

describe('splitting before substituting', () => {
  test('whitespace outside ${…} and quotes separates arguments', () => {
    assert.deepEqual(splitCommandText('SET  k:${topic[1]:-no level}   ${payload}'), { args: ['SET', 'k:${topic[1]:-no level}', '${payload}'] });
    assert.deepEqual(splitCommandText('SET "a b" "say \\"hi\\"" x"y z"'), { args: ['SET', 'a b', 'say "hi"', 'xy z'] });
    assert.deepEqual(splitCommandText('SET "" v'), { args: ['SET', '', 'v'] });
  });

  test('RobustMQ\'s {payload} form reads as ${payload}; the name is upper-cased', () => {
    const c = command('lpush mqtt_messages {payload} {topic} {timestamp} {other}');
    assert.equal(c.name, 'LPUSH');
    assert.deepEqual(c.args.map((a) => a.source), ['mqtt_messages', '${payload}', '${topic}', '${timestamp}', '{other}']);
  });

  test('RobustMQ\'s ${key} and ${client_id} render as \'\' (or their fallback), as RobustMQ renders a message without key', () => {
    const c = command('SET mqtt:${key} ${client_id} ${key:-none}');
    assert.deepEqual(c.emptyVariables, ['${key}', '${client_id}', '${key:-none}']);
    assert.deepEqual(commandArgs(c, rec('x')), ['mqtt:', '', 'none']);
  });

  test('a payload with spaces stays one argument; the exact ${payload} argument is the payload\'s bytes', () => {
    const binary = Buffer.from([0xff, 0x20, 0x00]);
    assert.deepEqual(commandArgs(command('LPUSH l ${payload}'), rec('a b  c')), ['l', Buffer.from('a b  c')]);
    assert.deepEqual(commandArgs(command('LPUSH l ${payload}'), rec(binary)), ['l', binary]);
    assert.deepEqual(commandArgs(command('SET dev:${topic[1]} p=${payload}'), rec('x y')), ['dev:hall a', 'p=x y']);
  });

  test('JSON fields: scalars as text, objects as JSON, a missing one refuses the record naming it', () => {
    const c = command('HSET d:${payload.id} t ${payload.t} meta ${payload.meta} n ${payload.n:-0}');
    assert.deepEqual(commandArgs(c, rec('{"id":7,"t":21.5,"meta":{"a":[1]}}')), ['d:7', 't', '21.5', 'meta', '{"a":[1]}', 'n', '0']);
    const refused = commandArgs(c, rec('{"id":7}'));
    assert.ok(!Array.isArray(refused));
    assert.match(refused.error, /\$\{payload\.t\} has no value .*the JSON payload has no t/);
  });
});

describe('reply errors → contract kinds', () => {
  const reply = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });

  test('about the record: permanent', () => {
    for (const m of ['WRONGTYPE Operation against a key holding the wrong kind of value', 'ERR value is not an integer or out of range', 'ERR syntax error', 'ERR The ID specified in XADD is equal or smaller than the target stream top item', 'CROSSSLOT Keys in request don\'t hash to the same slot', 'ERR invalid expire time in \'set\' command']) {
      assert.equal(redisErrorKind(reply(m)), 'permanent', m);
    }
  });

  test('about the server, the credentials or the template: unavailable; TRYAGAIN retriable', () => {
    for (const m of ['NOAUTH Authentication required.', 'WRONGPASS invalid username-password pair', 'NOPERM this user has no permissions', 'LOADING Redis is loading the dataset in memory', 'BUSY Redis is busy running a script', 'CLUSTERDOWN The cluster is down', 'MASTERDOWN Link with MASTER is down', 'READONLY You can\'t write against a read only replica.', 'OOM command not allowed when used memory > \'maxmemory\'.', 'MISCONF Redis is configured to save RDB snapshots', 'ERR unknown command \'NOPE\'', 'ERR wrong number of arguments for \'set\' command']) {
      assert.equal(redisErrorKind(reply(m)), 'unavailable', m);
    }
    assert.equal(redisErrorKind(reply('TRYAGAIN Multiple keys request during rehashing of slot')), 'retriable');
    assert.equal(redisErrorKind(new Error('Connection is closed.')), 'unavailable');
    assert.equal(redisErrorKind(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'unavailable');
    assert.equal(commandError(reply('WRONGPASS invalid'), 'SET', 'h:1').message, 'redis: SET on h:1 failed: WRONGPASS invalid; check username, password and the ACL');
  });
});

describe('cluster slots', () => {
  test('the documented slots, hash tags, and a command whose keys cross slots', () => {
    assert.equal(keySlot('foo'), 12182);
    assert.equal(keySlot('{user1000}.following'), keySlot('{user1000}.followers'));
    assert.equal(keySlot('{}x'), keySlot(Buffer.from('{}x')));
    assert.equal(crossSlot('MSET', ['{a}1', 'v', '{a}2', 'v']), undefined);
    assert.match(crossSlot('MSET', ['a', 'v', 'b', 'v']) ?? '', /^CROSSSLOT/);
    assert.equal(crossSlot('SET', ['a', 'v']), undefined);
  });
});
