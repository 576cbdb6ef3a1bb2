import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { parseRedisCommand } from '../redis-command.js';
import { HOST_PORT_LIST_PATTERN, Password, Template, Username } from '../schema-kit.js';

const COMMAND_DESCRIPTION = 'The command written for each message: a command name and its arguments, split on spaces (double quotes keep spaces inside one argument) before the values are put in, so a value with spaces stays one argument; or a list, one element per argument. Each argument is a template (see Templates); an argument that is exactly `${payload}` carries the payload\'s bytes unchanged. RobustMQ\'s `{payload}`, `{topic}` and `{timestamp}` are read as `${payload}`, `${topic}` and `${timestamp}`.';

export const redisSchema = Type.Object(
  {
    server: Type.String({ minLength: 1, maxLength: 1024, pattern: HOST_PORT_LIST_PATTERN, 'x-rule': 'expected host:port, or several separated by commas', description: 'host:port of the server (single), of cluster nodes to start from (cluster), or of the sentinels (sentinel); several separated by commas.', examples: ['127.0.0.1:6379'] }),
    mode: Type.Enum(['single', 'cluster', 'sentinel'], { default: 'single', description: 'single: one server; cluster: Redis Cluster (commands go to the node of their key\'s slot); sentinel: the master that the sentinels name for sentinel_master_name.' }),
    database: Type.Integer({ minimum: 0, maximum: 15, default: 0, description: 'Database number (single and sentinel; Redis Cluster has only database 0).' }),
    username: Type.Optional(Username({ description: 'ACL user name (Redis 6+). Unset: the default user.' })),
    password: Type.Optional(Password({ description: 'Password (AUTH) of the server, the cluster nodes or the sentinel master. Sentinels themselves are reached without a password.' })),
    sentinel_master_name: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'The master\'s name in the sentinels\' configuration (sentinel mode; required there).', examples: ['mymaster'] })),
    command_template: Type.Union([
      Template({ minLength: 1, maxLength: 4096, description: 'The command as text.' }),
      Type.Array(Template({ maxLength: 4096, description: 'One argument.' }), { minItems: 1, maxItems: 256, description: 'The command as a list of arguments.' }),
    ], { description: COMMAND_DESCRIPTION, examples: ['LPUSH mqtt:messages ${payload}', ['SET', 'device:${topic[1]}', '${payload}', 'EX', '3600']] }),
    tls_enabled: Type.Boolean({ default: false, description: 'Connect with TLS, verifying the server against the system\'s CAs.' }),
    connect_timeout_ms: Type.Integer({ minimum: 1, maximum: 300_000, default: 5000, description: 'Connect timeout, in ms; also the longest wait for a batch\'s replies.' }),
    pool_size: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Accepted for RobustMQ compatibility; no effect: a batch is one pipeline on one connection per node, which is faster than spreading it.' }),
    max_retries: Type.Integer({ minimum: 0, maximum: 1000, default: 3, description: 'Accepted for RobustMQ compatibility; no effect: retries are the connector\'s failure_strategy.' }),
    retry_interval_ms: Type.Integer({ minimum: 1, maximum: 3_600_000, default: 1000, description: 'Accepted for RobustMQ compatibility; no effect: the wait between retries is the failure_strategy\'s wait_time_ms.' }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { server: '127.0.0.1:6379', command_template: 'LPUSH mqtt:messages ${payload}' },
      { server: 'redis-1:6379,redis-2:6379,redis-3:6379', mode: 'cluster', password: '${env:SLUICE_SECRET_REDIS_PASSWORD}', command_template: 'XADD mqtt:${topic[0]} MAXLEN ~ 100000 * id ${id} payload ${payload}' },
    ],
  },
);

export type RedisConfig = Static<typeof redisSchema>;

export const redisType: ConnectorType<typeof redisSchema> = {
  name: 'redis',
  title: 'Redis',
  description: 'Runs one Redis command per message (a template: LPUSH, XADD, SET, HSET, PUBLISH, …), pipelined per batch; single, cluster or sentinel.',
  inFlight: { default: 4, max: 16 },
  loadSink: () => import('../../connectors/redis/index.js'),
  schema: redisSchema,
  check(config) {
    const errors: FieldError[] = [];
    const parsed = parseRedisCommand(config.command_template);
    if ('error' in parsed) errors.push({ path: 'command_template', rule: parsed.error });
    if (config.mode === 'sentinel' && config.sentinel_master_name === undefined) errors.push({ path: 'sentinel_master_name', rule: 'is required when mode is sentinel' });
    if (config.mode === 'single' && config.server.includes(',')) errors.push({ path: 'server', rule: 'takes one host:port when mode is single (several: mode cluster or sentinel)' });
    if (config.mode === 'cluster' && config.database !== 0) errors.push({ path: 'database', rule: 'must be 0 when mode is cluster (Redis Cluster has only database 0)' });
    if (config.username !== undefined && config.password === undefined) errors.push({ path: 'password', rule: 'is required when username is set' });
    return errors;
  },
};
