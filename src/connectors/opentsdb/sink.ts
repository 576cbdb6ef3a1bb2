// The opentsdb sink: maps each record of a batch to one data point (mapping.ts) and sends the
// batch's points as ONE JSON array to `<server>/api/put?details`. A record the mapping refuses
// fails alone (permanent); the server's per-point answer becomes per-record outcomes (errors.ts).
import { networkReason } from '../http-failure.js';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import type { OpentsdbConfig } from '../../metadata/configs/opentsdb.js';
import { putOutcome, unreachable, type PutAnswer } from './errors.js';
import { PointMapper } from './mapping.js';

export function createOpentsdbSink(config: OpentsdbConfig, ctx: SinkContext): ConnectorSink {
  return new OpentsdbSink(config, ctx);
}

class OpentsdbSink implements ConnectorSink {
  private readonly mapper: PointMapper;
  private readonly putUrl: string;
  /** the server without query, for messages and logs */
  private readonly target: string;
  private readonly timeoutMs: number;
  private closing = new AbortController();
  private started = false;

  constructor(
    private readonly cfg: OpentsdbConfig,
    private readonly ctx: SinkContext,
  ) {
    this.mapper = new PointMapper(cfg);
    const base = cfg.server.replace(/\/+$/, '');
    this.target = base;
    this.putUrl = `${base}/api/put?details`;
    this.timeoutMs = cfg.timeout_secs * 1000;
  }

  async validate(): Promise<void> {
    // an empty put: OpenTSDB and VictoriaMetrics check the path like a real one and store nothing
    let answer: PutAnswer;
    try {
      answer = await this.put('[]');
    } catch (e) {
      throw new Error(`opentsdb sink: cannot reach ${this.target}: ${networkReason(e, this.timeoutMs)}`);
    }
    try {
      putOutcome(`put to ${this.target}`, answer, []);
    } catch (e) {
      const err = e as SinkError;
      if (err.kind !== 'permanent') throw new Error(`opentsdb sink: ${err.message}`);
      // any other refusal of an empty body (OpenTSDB: 400 no data points): the endpoint is there
    }
  }

  async init(): Promise<void> {
    if (this.closing.signal.aborted) this.closing = new AbortController();
    this.started = true;
    this.ctx.log('info', 'opentsdb sink ready', { server: this.target, metric_field: this.cfg.metric_field, value_field: this.cfg.value_field });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('opentsdb');
    const batch = mapBatch(records, (record) => this.mapper.point(record), 'opentsdb');
    if (batch.items.length === 0) return batchResult(batch);
    const where = `put to ${this.target}`;
    let answer: PutAnswer;
    try {
      answer = await this.put(JSON.stringify(batch.items));
    } catch (e) {
      throw unreachable(where, networkReason(e, this.timeoutMs));
    }
    let failures: BatchResult['failed'];
    try {
      failures = putOutcome(where, answer, batch.items);
    } catch (e) {
      const err = e instanceof SinkError ? e : SinkError.unavailable(`opentsdb: ${(e as Error).message}`);
      if (err.kind === 'permanent') throw err;
      return batchResult(batch, batch.items.map((_, index) => ({ index, error: err })));
    }
    return batchResult(batch, failures);
  }

  async cleanup(): Promise<void> {
    this.started = false;
    this.closing.abort(new Error('sink closed'));
  }

  private async put(body: string): Promise<PutAnswer> {
    const res = await fetch(this.putUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.closing.signal]),
    });
    return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
  }
}
