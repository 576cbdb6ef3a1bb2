// The Redis sink: one command per record (mapping.ts), a batch sent as one pipeline (single and
// sentinel) or auto-pipelined per cluster node (cluster), each record's reply its own outcome
// (errors.ts). Nothing is sent twice by the sink itself (client.ts).
import type { RedisConfig } from '../../metadata/configs/redis.js';
import { parseRedisCommand, type RedisCommand } from '../../metadata/redis-command.js';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { createRedisClient, type RedisClient } from './client.js';
import { crossSlot } from './cluster-slot.js';
import { commandError, describeRedisError, isAuthError, isReplyError } from './errors.js';
import { commandArgs, type RedisArg } from './mapping.js';

export function createRedisSink(config: RedisConfig, ctx: SinkContext): ConnectorSink {
  return new RedisSink(config, ctx);
}

class RedisSink implements ConnectorSink {
  private client?: RedisClient;
  private started = false;
  private readonly command: RedisCommand;
  /** the servers as configured (no credentials), for messages */
  private readonly where: string;

  constructor(
    private readonly cfg: RedisConfig,
    private readonly ctx: SinkContext,
  ) {
    const parsed = parseRedisCommand(cfg.command_template);
    if ('error' in parsed) throw new Error(`redis: command_template ${parsed.error}`);
    this.command = parsed.command;
    this.where = `${cfg.mode === 'single' ? '' : `${cfg.mode} `}${cfg.server}${cfg.mode === 'sentinel' ? ` (master ${cfg.sentinel_master_name ?? ''})` : ''}`;
  }

  async validate(): Promise<void> {
    const client = await this.connect().catch((e: unknown) => {
      throw new Error(e instanceof SinkError ? e.message : String(e));
    });
    try {
      const info = (await client.call('COMMAND', ['INFO', this.command.name])) as unknown[];
      const entry = info[0];
      if (!Array.isArray(entry)) throw new Error(`redis: ${this.where} knows no command ${this.command.name} (command_template)`);
      const arity = Number(entry[1]);
      const given = this.command.args.length + 1;
      if (arity > 0 ? given !== arity : given < -arity) {
        throw new Error(`redis: ${this.command.name} takes ${arity > 0 ? `exactly ${arity - 1}` : `at least ${-arity - 1}`} arguments; command_template gives ${given - 1}`);
      }
    } finally {
      client.disconnect();
    }
  }

  async init(): Promise<void> {
    if (this.started) return;
    this.client = await this.connect();
    this.started = true;
    this.ctx.log('info', 'redis sink ready', { server: this.where, command: this.command.name });
    if (this.command.emptyVariables.length > 0) {
      this.ctx.log('warn', `redis: command_template uses ${[...new Set(this.command.emptyVariables)].join(', ')}, which render as '' (as in RobustMQ: a published message has no key); use \${topic[N]}, \${id} or \${payload.<field>}`);
    }
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    const client = this.client;
    if (!this.started || !client) throw notStarted('redis');
    const cluster = this.cfg.mode === 'cluster';
    const batch = mapBatch(records, (r) => {
      const args = commandArgs(this.command, r);
      const cross = cluster && Array.isArray(args) ? crossSlot(this.command.name, args) : undefined;
      return cross ? { error: `${this.command.name} on ${this.where}: ${cross}` } : args;
    }, 'redis');
    if (batch.items.length === 0) return batchResult(batch);
    const replies = await this.run(client, batch.items);
    const failed: BatchResult['failed'] = [];
    replies.forEach((err, index) => {
      if (err) failed.push({ index, error: commandError(err, this.command.name, this.where) });
    });
    return batchResult(batch, failed);
  }

  async cleanup(): Promise<void> {
    this.started = false;
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    await Promise.race([c.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    c.disconnect();
  }

  /** The error of each command, in order (null: written). */
  private async run(client: RedisClient, items: RedisArg[][]): Promise<(Error | null)[]> {
    const name = this.command.name;
    if (this.cfg.mode === 'cluster') {
      // a cluster pipeline must stay within one node; auto-pipelining groups the calls per node
      const settled = await Promise.allSettled(items.map((args) => client.call(name, args)));
      return settled.map((s) => (s.status === 'fulfilled' ? null : asError(s.reason)));
    }
    const pipeline = client.pipeline();
    for (const args of items) pipeline.call(name, args);
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (e) {
      throw commandError(e, name, this.where);
    }
    if (!results) throw SinkError.unavailable(`redis: ${name} on ${this.where}: the pipeline got no replies`);
    return results.map(([err]) => err);
  }

  private async connect(): Promise<RedisClient> {
    const client = createRedisClient(this.cfg);
    // a background reconnect reports here; the outcome of each command says what it means. The
    // last one is kept: a refused AUTH arrives as an error event, the connect only sees the close.
    let last: unknown;
    client.on('error', (e: unknown) => (last = e));
    let timer: NodeJS.Timeout | undefined;
    // a sentinel that names no such master is asked again and again: bound the wait
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within connect_timeout_ms (${this.cfg.connect_timeout_ms} ms)${last instanceof Error ? `; last error: ${last.message}` : ''}`)), this.cfg.connect_timeout_ms + 500);
    });
    try {
      await Promise.race([client.connect().then(() => client.call('PING')), timeout]);
      return client;
    } catch (caught) {
      client.disconnect();
      const e = isReplyError(last) && !isReplyError(caught) ? last : caught;
      const why = describeRedisError(e);
      const auth = isAuthError(e) || isAuthError((e as { lastNodeError?: unknown }).lastNodeError) ? ' (check username, password and the ACL)' : '';
      throw SinkError.unavailable(`redis: cannot connect to ${this.where}: ${why}${auth}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
