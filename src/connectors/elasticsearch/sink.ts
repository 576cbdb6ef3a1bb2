// The elasticsearch sink: a batch is ONE `_bulk` request (NDJSON, an `index` action per record
// with `_id` = the record id, so a redelivery overwrites itself; mapping.ts), to Elasticsearch or
// OpenSearch over plain HTTP (client.ts). A record the mapping refuses (its index cannot be
// named) fails alone; each item of the answer is its record's outcome (errors.ts).
import type { ElasticsearchConfig } from '../../metadata/configs/elasticsearch.js';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { networkReason } from '../http-failure.js';
import { notStarted, SinkError, startFailure, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { EsHttp } from './client.js';
import { bulkOutcome, requestError, unreachable, type HttpAnswer } from './errors.js';
import { IndexMapper } from './mapping.js';

// only what the outcome needs: per item its _id, status and error (not the shard details)
const BULK_PATH = '/_bulk?filter_path=errors,items.*._id,items.*.status,items.*.error';

export function createElasticsearchSink(config: ElasticsearchConfig, ctx: SinkContext): ConnectorSink {
  return new ElasticsearchSink(config, ctx);
}

class ElasticsearchSink implements ConnectorSink {
  private readonly mapper: IndexMapper;
  private http?: EsHttp;
  private closing = new AbortController();

  constructor(
    private readonly cfg: ElasticsearchConfig,
    private readonly ctx: SinkContext,
  ) {
    this.mapper = new IndexMapper(cfg.index);
  }

  async validate(): Promise<void> {
    const http = this.client();
    try {
      await this.probe(http, new AbortController().signal);
    } catch (e) {
      throw new Error(e instanceof Error ? e.message : String(e));
    } finally {
      http.close();
    }
  }

  async init(): Promise<void> {
    if (this.http) return;
    if (this.closing.signal.aborted) this.closing = new AbortController();
    let http: EsHttp;
    try {
      http = this.client();
    } catch (e) {
      throw startFailure(SinkError.unavailable(`elasticsearch: ${e instanceof Error ? e.message : String(e)}`));
    }
    try {
      const version = await this.probe(http, this.closing.signal);
      this.http = http;
      this.ctx.log('info', 'elasticsearch sink ready', { url: http.target, index: this.cfg.index, auth_type: this.cfg.auth_type, server: version });
    } catch (e) {
      http.close();
      throw startFailure(e);
    }
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    const http = this.http;
    if (!http) throw notStarted('elasticsearch');
    const batch = mapBatch(records, (r) => this.mapper.item(r), 'elasticsearch');
    if (batch.items.length === 0) return batchResult(batch);
    const where = `bulk to ${http.target}`;
    let answer: HttpAnswer;
    try {
      answer = await http.send('POST', BULK_PATH, batch.items.map((i) => i.lines).join(''), 'application/x-ndjson', this.signal(http));
    } catch (e) {
      throw unreachable(where, networkReason(e, http.timeoutMs));
    }
    return batchResult(batch, bulkOutcome(where, answer, batch.items.map((i) => i.id)));
  }

  async cleanup(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    this.closing.abort(new Error('sink closed'));
    http?.close();
  }

  private client(): EsHttp {
    return new EsHttp(this.cfg);
  }

  private signal(http: EsHttp): AbortSignal {
    return AbortSignal.any([AbortSignal.timeout(http.timeoutMs), this.closing.signal]);
  }

  /** GET `<url>/`: the server answers with its name and version once reachable and the credentials pass. */
  private async probe(http: EsHttp, closing: AbortSignal): Promise<string> {
    const where = `GET ${http.target}/`;
    let answer: HttpAnswer;
    try {
      answer = await http.send('GET', '/', undefined, '', AbortSignal.any([AbortSignal.timeout(http.timeoutMs), closing]));
    } catch (e) {
      throw unreachable(where, networkReason(e, http.timeoutMs));
    }
    if (answer.status < 200 || answer.status >= 300) {
      const err = requestError(where, answer);
      throw err.kind === 'unavailable' ? err : SinkError.unavailable(err.message);
    }
    try {
      const info = JSON.parse(answer.body) as { version?: { distribution?: string; number?: string } };
      return `${info.version?.distribution ?? 'elasticsearch'} ${info.version?.number ?? '?'}`;
    } catch {
      throw SinkError.unavailable(`elasticsearch: ${where} answered HTTP ${answer.status} with a body that is not JSON (is url an Elasticsearch or OpenSearch endpoint?)`);
    }
  }
}
