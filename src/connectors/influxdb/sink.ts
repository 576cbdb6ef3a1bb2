// The influxdb sink: maps each record of a batch to one line-protocol point (mapping.ts) and
// sends the batch's points in ONE write request (writers.ts). A record that cannot be mapped is
// reported failed on its own, with a permanent error, and the rest of the batch is written. A
// permanent write error (a point the server refuses) is thrown for the whole batch so that the
// core bisects it down to that record; a retriable one is reported for every written record.
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import type { InfluxdbConfig } from '../../metadata/configs/influxdb.js';
import { PointMapper } from './mapping.js';
import { createWriter, type InfluxWriter } from './writers.js';

export function createInfluxSink(config: InfluxdbConfig, ctx: SinkContext): ConnectorSink {
  return new InfluxSink(config, ctx);
}

class InfluxSink implements ConnectorSink {
  private readonly mapper: PointMapper;
  private writer?: InfluxWriter;
  private started = false;

  constructor(
    private readonly cfg: InfluxdbConfig,
    private readonly ctx: SinkContext,
  ) {
    this.mapper = new PointMapper(cfg);
  }

  async validate(): Promise<void> {
    await this.open().probe();
  }

  async init(): Promise<void> {
    const w = this.open();
    this.started = true;
    const into = this.cfg.version === 'v1' ? { database: this.cfg.database } : { org: this.cfg.org, bucket: this.cfg.bucket };
    this.ctx.log('info', 'influxdb sink ready', { server: w.target, version: this.cfg.version, ...into, measurement: this.cfg.measurement, precision: this.cfg.precision });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('influxdb');
    const batch = mapBatch(records, (record) => this.mapper.line(record), 'influxdb');
    if (batch.items.length === 0) return batchResult(batch);
    try {
      await this.open().write(batch.items);
    } catch (e) {
      const err = e instanceof SinkError ? e : SinkError.unavailable(`influxdb: ${(e as Error).message}`);
      if (err.kind === 'permanent') throw err;
      return batchResult(batch, batch.items.map((_, index) => ({ index, error: err })));
    }
    return batchResult(batch);
  }

  async cleanup(): Promise<void> {
    this.started = false;
    const w = this.writer;
    this.writer = undefined;
    w?.close();
  }

  private open(): InfluxWriter {
    this.writer ??= createWriter(this.cfg);
    return this.writer;
  }
}
