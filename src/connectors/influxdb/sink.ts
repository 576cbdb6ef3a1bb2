// The influxdb sink: maps each record of a batch to one line-protocol point (mapping.ts) and
// sends the batch's points in ONE write request (writers.ts). A record that cannot be mapped is
// reported failed on its own, with a permanent error, and the rest of the batch is written. A
// permanent write error (a point the server refuses) is thrown for the whole batch so that the
// core bisects it down to that record; a retriable one is reported for every written record.
// The greptime sink is this same LineSink with its own writer.
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import type { InfluxdbConfig } from '../../metadata/configs/influxdb.js';
import { PointMapper } from './mapping.js';
import { createWriter, type InfluxWriter } from './writers.js';

export function createInfluxSink(config: InfluxdbConfig, ctx: SinkContext): ConnectorSink {
  const into = config.version === 'v1' ? { database: config.database } : { org: config.org, bucket: config.bucket };
  return new LineSink(ctx, {
    label: 'influxdb',
    mapper: new PointMapper(config),
    createWriter: () => createWriter(config),
    ready: (target) => ({ server: target, version: config.version, ...into, measurement: config.measurement, precision: config.precision }),
  });
}

/** What makes a line-protocol sink one target's: its name, mapper, writer and ready log fields. */
export interface LineSinkParts {
  label: string;
  mapper: PointMapper;
  createWriter(): InfluxWriter;
  /** the fields of the "sink ready" log line; never secrets */
  ready(target: string): Record<string, unknown>;
}

export class LineSink implements ConnectorSink {
  private writer?: InfluxWriter;
  private started = false;

  constructor(
    private readonly ctx: SinkContext,
    private readonly parts: LineSinkParts,
  ) {}

  async validate(): Promise<void> {
    await this.open().probe();
  }

  async init(): Promise<void> {
    const w = this.open();
    this.started = true;
    this.ctx.log('info', `${this.parts.label} sink ready`, this.parts.ready(w.target));
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    const label = this.parts.label;
    if (!this.started) throw notStarted(label);
    const batch = mapBatch(records, (record) => this.parts.mapper.line(record), label);
    if (batch.items.length === 0) return batchResult(batch);
    try {
      await this.open().write(batch.items);
    } catch (e) {
      const err = e instanceof SinkError ? e : SinkError.unavailable(`${label}: ${(e as Error).message}`);
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
    this.writer ??= this.parts.createWriter();
    return this.writer;
  }
}
