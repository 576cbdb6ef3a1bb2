// The RabbitMQ sink: one connection, one confirm channel; a batch is published message by message
// (mapping.ts) and each message's confirm is its own outcome: ack → written, nack → retriable,
// returned as unroutable (mandatory) → permanent. A channel the broker closes under the batch
// fails what it had not confirmed with the close's reason (errors.ts); the next batch opens a new
// channel, or a new connection when that one is gone. Nothing is published twice by the sink.
import { connect, type ChannelModel, type ConfirmChannel, type Message } from 'amqplib';
import type { RabbitmqConfig } from '../../metadata/configs/rabbitmq.js';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { batchError, describeAmqpError, hintFor, rabbitmqErrorKind } from './errors.js';
import { MessageMapper, type AmqpMessage } from './mapping.js';

export function createRabbitmqSink(config: RabbitmqConfig, ctx: SinkContext): ConnectorSink {
  return new RabbitmqSink(config, ctx);
}

interface Open {
  model: ChannelModel;
  channel: ConfirmChannel;
  /** why the channel or the connection closed, once it has */
  closed?: Error;
  /** messages of the batch in flight, by message id, that came back unroutable */
  returned: Map<string, string>;
}

class RabbitmqSink implements ConnectorSink {
  private open?: Open;
  private started = false;
  private readonly mapper: MessageMapper;
  /** host:port, vhost and exchange, for messages (no credentials) */
  private readonly where: string;

  constructor(
    private readonly cfg: RabbitmqConfig,
    private readonly ctx: SinkContext,
  ) {
    this.mapper = new MessageMapper(cfg);
    this.where = `${cfg.server}:${cfg.port} vhost ${cfg.virtual_host} exchange "${cfg.exchange}"`;
  }

  async validate(): Promise<void> {
    const o = await this.connect().catch((e: unknown) => {
      throw new Error(e instanceof Error ? e.message : String(e));
    });
    await o.model.close().catch(() => undefined);
  }

  async init(): Promise<void> {
    if (this.started) return;
    this.open = await this.connect();
    this.started = true;
    this.ctx.log('info', 'rabbitmq sink ready', { target: this.where });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('rabbitmq');
    const batch = mapBatch(records, (r) => this.mapper.map(r), 'rabbitmq');
    if (batch.items.length === 0) return batchResult(batch);
    const o = await this.usable();
    return batchResult(batch, await this.publish(o, batch.items));
  }

  async cleanup(): Promise<void> {
    this.started = false;
    const o = this.open;
    this.open = undefined;
    if (o && !o.closed) await o.model.close().catch(() => undefined);
  }

  /** The open channel, or a new one (on a new connection if need be); failing as unavailable. */
  private async usable(): Promise<Open> {
    const o = this.open;
    if (o && !o.closed) return o;
    if (o) await o.model.close().catch(() => undefined);
    this.open = undefined;
    this.open = await this.connect();
    return this.open;
  }

  private async publish(o: Open, items: AmqpMessage[]): Promise<BatchResult['failed']> {
    o.returned.clear();
    const outcomes = items.map((m) => new Promise<Error | null>((resolve) => {
      try {
        // amqplib buffers what the socket does not take at once; the confirms pace the batch
        o.channel.publish(this.cfg.exchange, m.routingKey, m.content, m.options, (err: unknown) => resolve(err ? (err instanceof Error ? err : new Error(String(err))) : null));
      } catch (e) {
        resolve(e instanceof Error ? e : new Error(String(e)));
      }
    }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.cfg.confirm_timeout_secs * 1000)));
    const settled = await Promise.race([Promise.all(outcomes), timeout]);
    clearTimeout(timer);
    if (settled === 'timeout') {
      // unknown which were written: fail the whole batch as unavailable and start afresh
      o.closed ??= new Error(`no confirm within confirm_timeout_secs (${this.cfg.confirm_timeout_secs} s)`);
      throw SinkError.unavailable(`rabbitmq: publishing to ${this.where}: ${o.closed.message}`);
    }
    const failed: BatchResult['failed'] = [];
    const culprit = o.closed ? this.tooLarge(o.closed, items, settled) : undefined;
    settled.forEach((err, index) => {
      const item = items[index] as AmqpMessage;
      const returned = o.returned.get(item.options.messageId as string);
      if (err === null && returned !== undefined) {
        failed.push({ index, error: SinkError.permanent(`rabbitmq: ${this.where} returned the message (routing key "${item.routingKey}"): ${returned}; bind a queue that matches it, or set mandatory: false to let the broker drop it`) });
      } else if (err !== null && /nacked/.test(err.message)) {
        failed.push({ index, error: SinkError.retriable(`rabbitmq: ${this.where} refused the message (basic.nack)`) });
      } else if (err !== null) {
        const cause = o.closed ?? err;
        if (index === culprit) failed.push({ index, error: batchError(cause, this.where) });
        // the channel closed under them: not known to be written, and not at fault
        else failed.push({ index, error: SinkError.unavailable(batchError(cause, this.where).message) });
      }
    });
    o.returned.clear();
    return failed;
  }

  /**
   * The message that closed the channel for its size: the broker names the size, and handles a
   * channel's messages in order, so it is the first unconfirmed one of that size. None found
   * (another refusal of content): the whole batch fails as permanent and the core bisects it.
   */
  private tooLarge(cause: Error, items: readonly AmqpMessage[], settled: readonly (Error | null)[]): number | undefined {
    if (rabbitmqErrorKind(cause) !== 'permanent') return undefined;
    const size = Number(/message size (\d+)/i.exec(cause.message)?.[1]);
    const at = settled.findIndex((err, i) => err !== null && items[i]?.content.length === size);
    if (at < 0) throw batchError(cause, this.where);
    return at;
  }

  private async connect(): Promise<Open> {
    let model: ChannelModel;
    try {
      model = await connect({
        protocol: this.cfg.enable_tls ? 'amqps' : 'amqp',
        hostname: this.cfg.server,
        port: this.cfg.port,
        username: this.cfg.username,
        password: this.cfg.password,
        vhost: this.cfg.virtual_host,
        heartbeat: this.cfg.heartbeat_secs,
        frameMax: this.cfg.frame_max,
        channelMax: this.cfg.channel_max,
      }, { timeout: this.cfg.connection_timeout_secs * 1000, clientProperties: { connection_name: `sluice ${this.ctx.connectorName}` } });
    } catch (e) {
      throw SinkError.unavailable(`rabbitmq: cannot connect to ${this.cfg.server}:${this.cfg.port} vhost ${this.cfg.virtual_host} as "${this.cfg.username}": ${describeAmqpError(e)}${hintFor(e)}`);
    }
    const o: Open = { model, channel: undefined as unknown as ConfirmChannel, returned: new Map() };
    model.on('error', (e: Error) => (o.closed ??= e));
    model.on('close', (e?: Error) => (o.closed ??= e ?? new Error('connection closed')));
    try {
      // a passive check on a channel of its own: a missing exchange closes that channel only
      const probe = await model.createChannel();
      probe.on('error', () => undefined);
      await probe.checkExchange(this.cfg.exchange);
      await probe.close().catch(() => undefined);
      o.channel = await model.createConfirmChannel();
    } catch (e) {
      await model.close().catch(() => undefined);
      throw SinkError.unavailable(`rabbitmq: ${this.where}: ${describeAmqpError(e)}${hintFor(e)}`);
    }
    o.channel.on('error', (e: Error) => (o.closed ??= e));
    o.channel.on('close', () => (o.closed ??= new Error('channel closed')));
    o.channel.on('return', (m: Message) => {
      const id = m.properties.messageId as string | undefined;
      const f = m.fields as unknown as { replyCode?: number; replyText?: string };
      if (id !== undefined) o.returned.set(id, `${f.replyCode ?? ''} ${f.replyText ?? 'unroutable'}`.trim());
    });
    return o;
  }
}
