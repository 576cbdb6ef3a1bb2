// The nats sink: publishes every record of a batch to JetStream at once (one publish per record,
// all in flight together), waits for all the acks and maps each to that record's outcome. A
// record the mapping refuses fails alone (permanent). `Nats-Msg-Id` is the record id: a record
// sent again (after a lost ack, a restart) within the stream's duplicate window is acked as a
// duplicate and stored once.
import { connect, headers as natsHeaders, type ConnectionOptions, type JetStreamClient, type JetStreamPublishOptions, type NatsConnection } from 'nats';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import type { NatsConfig } from '../../metadata/configs/nats.js';
import { connectError, publishError } from './errors.js';
import { MessageMapper, type NatsMessage } from './mapping.js';

export function createNatsSink(config: NatsConfig, ctx: SinkContext): ConnectorSink {
  return new NatsSink(config, ctx);
}

class NatsSink implements ConnectorSink {
  private readonly mapper: MessageMapper;
  private readonly servers: string[];
  private conn?: { nc: NatsConnection; js: JetStreamClient };
  private started = false;

  constructor(
    private readonly cfg: NatsConfig,
    private readonly ctx: SinkContext,
  ) {
    this.mapper = new MessageMapper(cfg.subject);
    this.servers = cfg.servers.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  async validate(): Promise<void> {
    const nc = await this.connect();
    try {
      await (await nc.jetstreamManager({ timeout: this.cfg.timeout_ms })).getAccountInfo();
    } catch (e) {
      throw new Error(`nats sink: JetStream is not available on ${this.servers.join(',')}: ${(e as Error).message}`);
    } finally {
      await nc.close();
    }
  }

  async init(): Promise<void> {
    await this.open();
    this.started = true;
    this.ctx.log('info', 'nats sink ready', { servers: this.servers.join(','), subject: this.cfg.subject, stream: this.cfg.stream || undefined });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('nats');
    const batch = mapBatch(records, (record) => this.mapper.message(record), 'nats');
    if (batch.items.length === 0) return batchResult(batch);
    const { js } = await this.open();
    const results = await Promise.allSettled(batch.items.map((m, i) => this.publish(js, m, records[batch.at[i] as number] as SinkRecord)));
    const failed: BatchResult['failed'] = [];
    results.forEach((r, index) => {
      if (r.status === 'rejected') failed.push({ index, error: publishError(r.reason, (batch.items[index] as NatsMessage).subject, this.cfg.timeout_ms) });
    });
    return batchResult(batch, failed);
  }

  async cleanup(): Promise<void> {
    this.started = false;
    const c = this.conn;
    this.conn = undefined;
    // every publish of a batch was awaited (acked or failed): nothing is left to flush
    if (c && !c.nc.isClosed()) await c.nc.close();
  }

  private async publish(js: JetStreamClient, m: NatsMessage, record: SinkRecord): Promise<void> {
    const h = natsHeaders();
    for (const [k, v] of m.headers) h.append(k, v);
    const opts: Partial<JetStreamPublishOptions> = { msgID: record.id, headers: h, timeout: this.cfg.timeout_ms };
    if (this.cfg.stream) opts.expect = { streamName: this.cfg.stream };
    await js.publish(m.subject, m.payload, opts);
  }

  /** The open connection; a closed one (the client gave up or was closed) is opened again. */
  private async open(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    if (this.conn && !this.conn.nc.isClosed()) return this.conn;
    const nc = await this.connect();
    this.conn = { nc, js: nc.jetstream({ timeout: this.cfg.timeout_ms }) };
    return this.conn;
  }

  private async connect(): Promise<NatsConnection> {
    const c = this.cfg;
    const opts: ConnectionOptions = {
      servers: this.servers,
      name: `sluice_${this.ctx.connectorName}`,
      timeout: c.connect_timeout_secs * 1000,
      // never give up reconnecting while the sink is open; publishes meanwhile time out (unavailable)
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: false,
    };
    if (c.username !== undefined && c.username !== '') {
      opts.user = c.username;
      opts.pass = c.password ?? '';
    }
    if (c.token) opts.token = c.token;
    if (c.enable_tls) {
      const tls: Record<string, unknown> = {};
      if (c.tls_ca) tls.ca = c.tls_ca;
      if (c.tls_cert) tls.cert = c.tls_cert;
      if (c.tls_key) tls.key = c.tls_key;
      if (c.tls_insecure_skip_verify) tls.rejectUnauthorized = false;
      opts.tls = tls as ConnectionOptions['tls'];
    }
    try {
      return await connect(opts);
    } catch (e) {
      throw connectError(e, this.servers.join(','));
    }
  }
}
