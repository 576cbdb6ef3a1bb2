// The kafka sink: produces each batch to one topic with kafkajs, as one produce request, or as a
// few requests in order when the batch is larger than one request may be (the broker refuses a
// record batch above the topic's max.message.bytes, and kafkajs does not split). kafkajs reports
// a failed request as one error; the sink classifies it (errors.ts) and the core waits, retries,
// bisects, discards or dead-letters. Mapping: mapping.ts.
import type { Admin, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import { batchResult, type MappedBatch, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, startFailure, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { acksNumber, checkBrokersUsable, compressionCodec, kafkaClientConfig } from './client-config.js';
import { registerCodecs } from './codecs.js';
import type { KafkaConfig } from '../../metadata/configs/kafka.js';
import { classifyKafkaError, describeKafkaError } from './errors.js';
import { checkTopic, connectFailure, createMissingTopic, DEFAULT_MAX_REQUEST_BYTES, topicMaxBytes } from './probe.js';
import { compileTemplate } from '../../metadata/template.js';
import { type KafkaMessage, messageBytes, planRequests, toKafkaMessage, type MappingOptions } from './mapping.js';

const { Kafka, Partitioners } = kafkajs;

export function createKafkaSink(config: KafkaConfig, ctx: SinkContext): ConnectorSink {
  return new KafkaSink(config, ctx);
}

class KafkaSink implements ConnectorSink {
  private producer: Producer | undefined;
  /** the produce of the batch before (sendBatch keeps the order batches came in) */
  private produceTail: Promise<void> = Promise.resolve();
  /** the request size limit: configured, or read from the topic by init() */
  private maxRequestBytes: number;
  private readonly mapping: MappingOptions;

  constructor(
    private readonly cfg: KafkaConfig,
    private readonly ctx: SinkContext,
  ) {
    this.maxRequestBytes = cfg.max_request_bytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.mapping = { key: cfg.key === '' ? undefined : compileTemplate(cfg.key), value_format: cfg.value_format };
  }

  /** config + reachability + login + topic, without changing anything on the cluster */
  async validate(): Promise<void> {
    await this.withAdmin(async (admin) => {
      await checkTopic(admin, this.cfg);
    });
  }

  async init(): Promise<void> {
    if (this.producer) return;
    await this.start().catch((e: unknown) => {
      throw startFailure(e);
    });
  }

  private async start(): Promise<void> {
    if (this.cfg.compression_type !== 'none' && this.cfg.compression_type !== 'gzip') await registerCodecs();
    // the topic exists when init returns (created if the brokers would create it), and its size limit is known
    await this.withAdmin(async (admin) => {
      if ((await checkTopic(admin, this.cfg)) === 'will_be_created') await createMissingTopic(admin, this.cfg, this.ctx);
      this.maxRequestBytes = this.cfg.max_request_bytes ?? (await topicMaxBytes(admin, this.cfg, this.ctx));
    });
    const producer = new Kafka(kafkaClientConfig(this.cfg, this.ctx)).producer({
      idempotent: this.cfg.idempotent,
      // one request at a time per broker: batches are produced one after the other (see sendBatch), and
      // the idempotent producer needs it to keep its sequence numbers in order
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      // kafkajs 2's default (Java-compatible murmur2 on the key), named to silence its warning
      createPartitioner: Partitioners.DefaultPartitioner,
      // kafkajs refuses an idempotent producer without retries; one lets it resend a request with the
      // same sequence numbers. Otherwise none: the core owns retries (see kafkaClientConfig).
      retry: { retries: this.cfg.idempotent ? 1 : 0 },
    });
    try {
      await withDeadline(producer.connect(), this.budgetMs(), () => new Error(`no answer within ${this.budgetMs()} ms`));
    } catch (e) {
      await producer.disconnect().catch(() => undefined);
      throw new Error(connectFailure(this.cfg, e));
    }
    this.producer = producer;
    this.ctx.log('info', 'kafka sink ready', { bootstrap_servers: this.cfg.bootstrap_servers, topic: this.cfg.topic, acks: this.cfg.acks, max_request_bytes: this.maxRequestBytes });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    const producer = this.producer;
    if (!producer) throw notStarted('kafka');
    if (records.length === 0) return { failed: [] };
    const batch = mapBatch(records, (r) => toKafkaMessage(r, this.mapping), 'kafka');
    const messages = batch.items;
    if (messages.length === 0) return batchResult(batch);
    const runs = planRequests(messages.map(messageBytes), this.maxRequestBytes);
    const { topic } = this.cfg;
    // batches given at once (delivery.max_in_flight) are mapped at once but produced in the order they
    // came: kafkajs would otherwise let a later batch overtake an earlier one within a partition
    const turn = this.produceTail;
    let release!: () => void;
    this.produceTail = new Promise<void>((r) => (release = r));
    await turn;
    try {
      return await this.produce(runs, messages, batch, topic);
    } finally {
      release();
    }
  }

  private async produce(runs: number[], messages: KafkaMessage[], batch: MappedBatch<KafkaMessage>, topic: string): Promise<BatchResult> {
    const producer = this.producer;
    if (!producer) throw notStarted('kafka');
    const sent = await sendRuns(
      runs,
      (from, to) => producer.send({ topic, messages: messages.slice(from, to), acks: acksNumber(this.cfg.acks), timeout: this.cfg.message_timeout_ms, compression: compressionCodec(this.cfg.compression_type) }),
      (e) => classifyKafkaError(e, `kafka: produce to ${topic} at ${this.cfg.bootstrap_servers} failed`),
    );
    return batchResult(batch, sent.failed);
  }

  /** Runs `work` with a connected admin client, all of it within one deadline; always disconnects. */
  private async withAdmin(work: (admin: Admin) => Promise<void>): Promise<void> {
    checkBrokersUsable(this.cfg.bootstrap_servers);
    const admin = new Kafka(kafkaClientConfig(this.cfg, this.ctx)).admin();
    const budget = this.budgetMs();
    try {
      await withDeadline(
        (async () => {
          await admin.connect().catch((e: unknown) => {
            throw new Error(connectFailure(this.cfg, e));
          });
          await work(admin);
        })(),
        budget,
        () => new Error(`kafka sink: cannot reach Kafka at ${this.cfg.bootstrap_servers}: no answer within ${budget} ms`),
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** each kafkajs step has its own timeout; this bounds a whole start-up step whatever happens */
  private budgetMs(): number {
    return 2 * this.cfg.connection_timeout_ms + 3 * this.cfg.message_timeout_ms;
  }

  async cleanup(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (!producer) return;
    const ms = this.cfg.cleanup_timeout_secs * 1000;
    await withDeadline(producer.disconnect(), ms, () => new Error(`no answer within ${ms} ms`)).catch((e: unknown) => {
      this.ctx.log('warn', `kafka producer did not close cleanly: ${describeKafkaError(e)}`);
    });
  }
}

/**
 * Sends the runs of a batch in order and turns the outcome into per-record results:
 * - the first request fails: nothing was written, so the error counts for the whole batch (thrown;
 *   the core retries it, or bisects it when permanent);
 * - a record refused on its own (permanent, run of one): that record fails, the rest goes on;
 * - a later request fails: what went before is written; this run and the unsent rest fail. A
 *   permanent refusal of a run of several records is reported retriable, so that the next attempt
 *   starts with that run, fails as a whole and is bisected by the core.
 */
export async function sendRuns(runs: readonly number[], send: (from: number, to: number) => Promise<unknown>, classify: (e: unknown) => SinkError): Promise<BatchResult> {
  const total = runs.reduce((a, b) => a + b, 0);
  const failed: BatchResult['failed'] = [];
  let from = 0;
  for (const [i, n] of runs.entries()) {
    const to = from + n;
    try {
      await send(from, to);
    } catch (e) {
      const err = classify(e);
      if (err.kind === 'permanent' && n === 1) {
        failed.push({ index: from, error: err });
      } else if (i === 0) {
        throw err;
      } else {
        const again = err.kind !== 'permanent' ? err : SinkError.retriable(`${err.message} (in a part of a batch whose start was written; it is sent again on its own)`);
        for (let k = from; k < total; k++) failed.push({ index: k, error: again });
        return { failed };
      }
    }
    from = to;
  }
  return { failed };
}

async function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
