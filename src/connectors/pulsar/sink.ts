// The pulsar sink: the broker's WebSocket producer API (the native client library is not needed).
// One producer socket per topic, opened on first use and kept; a batch is split by topic, every
// record is sent once (pipelined, max_pending_messages unacked at a time) and each ack becomes
// that record's outcome. A record the mapping refuses, or whose frame the broker's WebSocket limit
// would refuse, fails alone (permanent). Redelivery: Pulsar stores a record sent again as a new
// message; `sluice_id` lets consumers drop repeats.
import type { PulsarConfig } from '../../metadata/configs/pulsar.js';
import { compileTemplate } from '../../metadata/template.js';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord, SinkError } from '../sink.js';
import { authHeader, type AuthHeader } from './auth.js';
import { frameTooLarge } from './errors.js';
import { frame, frameBytes, MessageMapper, toTopic, webSocketBases, type PulsarMessage } from './mapping.js';
import { ProducerSocket } from './producer-socket.js';

/** producers kept open between batches; beyond this the least recently used are closed after a batch */
const MAX_PRODUCERS = 64;

export function createPulsarSink(config: PulsarConfig, ctx: SinkContext): ConnectorSink {
  return new PulsarSink(config, ctx);
}

class PulsarSink implements ConnectorSink {
  private readonly mapper: MessageMapper;
  /** one per host of `server` (or web_service_url), tried in order */
  private readonly bases: string[];
  private readonly auth: AuthHeader;
  /** topic path → its producer (a promise while it opens), in least-recently-used order */
  private readonly producers = new Map<string, Promise<ProducerSocket>>();
  private started = false;

  constructor(
    private readonly cfg: PulsarConfig,
    private readonly ctx: SinkContext,
  ) {
    this.mapper = new MessageMapper(cfg.topic, cfg.key);
    this.bases = webSocketBases(cfg.server, cfg.web_service_url);
    this.auth = authHeader(cfg);
  }

  async validate(): Promise<void> {
    const topic = this.fixedTopic();
    if (topic) {
      (await this.open(topic.path, topic.name)).close();
      return;
    }
    // a templated topic: the handshake of a producer cannot be tried; the web service and the credentials can
    const header = await this.auth();
    const why: string[] = [];
    for (const base of this.bases) {
      const url = `${base.replace(/^ws/, 'http')}/admin/v2/clusters`;
      const res = await fetch(url, { headers: header ? { authorization: header } : {}, signal: AbortSignal.timeout(this.cfg.connection_timeout_secs * 1000) })
        .catch((e: unknown) => { why.push(`cannot reach ${url}: ${e instanceof Error ? e.message : String(e)}`); });
      if (!res) continue;
      if (res.status === 401) throw new Error(`pulsar sink: ${url} refused the credentials (HTTP 401)`);
      return;
    }
    throw new Error(`pulsar sink: ${why.join('; ')}`);
  }

  async init(): Promise<void> {
    const topic = this.fixedTopic();
    // a fixed topic's producer opens now, so that wrong credentials or a missing namespace show at start
    if (topic) await this.producer(topic.path, topic.name);
    this.started = true;
    this.ctx.log('info', 'pulsar sink ready', { websocket: this.bases.join(','), topic: this.cfg.topic });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('pulsar');
    const batch = mapBatch(records, (r) => this.mapper.map(r), 'pulsar');
    const failed: BatchResult['failed'] = [];
    const byTopic = new Map<string, { name: string; items: { at: number; m: PulsarMessage }[] }>();
    batch.items.forEach((m, at) => {
      const bytes = frameBytes(m);
      if (bytes > this.cfg.max_frame_bytes) return failed.push({ index: at, error: frameTooLarge(bytes, this.cfg.max_frame_bytes) });
      const group = byTopic.get(m.topic.path) ?? { name: m.topic.name, items: [] };
      group.items.push({ at, m });
      byTopic.set(m.topic.path, group);
    });
    await Promise.all([...byTopic].map(async ([path, { name, items }]) => {
      let outcomes: (SinkError | undefined)[];
      try {
        const p = await this.producer(path, name);
        outcomes = await p.send(items.map(({ m }) => (context: string) => frame(m, context)));
      } catch (e) {
        const error = e instanceof SinkError ? e : SinkError.unavailable(`pulsar: ${name}: ${e instanceof Error ? e.message : String(e)}`);
        outcomes = items.map(() => error);
      }
      outcomes.forEach((error, i) => { if (error) failed.push({ index: (items[i] as { at: number }).at, error }); });
    }));
    // only between batches: a producer in use is never closed, however many topics one batch has
    this.evict();
    return batchResult(batch, failed);
  }

  async cleanup(): Promise<void> {
    this.started = false;
    const open = [...this.producers.values()];
    this.producers.clear();
    // every send of a batch was awaited (acked or failed): nothing is left to flush
    for (const p of await Promise.allSettled(open)) if (p.status === 'fulfilled') p.value.close();
  }

  private fixedTopic(): { path: string; name: string } | undefined {
    const parts = compileTemplate(this.cfg.topic).parts;
    if (parts.some((p) => p.kind !== 'text')) return undefined;
    const t = toTopic(parts.map((p) => (p.kind === 'text' ? p.text : '')).join(''));
    if ('error' in t) throw SinkError.unavailable(`pulsar: ${t.error}`);
    return t;
  }

  /** The open producer of a topic: a closed one is opened again; a failed open is not kept. */
  private async producer(path: string, name: string): Promise<ProducerSocket> {
    const known = this.producers.get(path);
    if (known) {
      this.producers.delete(path); // re-inserted below: most recently used last
      const p = await known.catch(() => undefined);
      if (p?.usable) {
        this.producers.set(path, known);
        return p;
      }
      p?.close();
    }
    const opening = this.open(path, name);
    this.producers.set(path, opening);
    opening.catch(() => { if (this.producers.get(path) === opening) this.producers.delete(path); });
    return opening;
  }

  private evict(): void {
    while (this.producers.size > MAX_PRODUCERS) {
      const [oldest, p] = this.producers.entries().next().value as [string, Promise<ProducerSocket>];
      this.producers.delete(oldest);
      void p.then((s) => s.close(), () => undefined);
    }
  }

  private async open(path: string, name: string): Promise<ProducerSocket> {
    const c = this.cfg;
    const query = new URLSearchParams({ sendTimeoutMillis: String(c.send_timeout_secs * 1000), maxPendingMessages: String(c.max_pending_messages) });
    if (c.compression !== undefined) query.set('compressionType', c.compression.toUpperCase());
    const header = await this.auth();
    return ProducerSocket.openFirst(this.bases.map((b) => `${b}/ws/v2/producer/${path}?${query.toString()}`), name, {
      headers: header ? { authorization: header } : {},
      handshakeTimeoutMs: c.connection_timeout_secs * 1000,
      // a little beyond the broker-side send timeout, so that the broker's own verdict usually comes first
      ackTimeoutMs: c.send_timeout_secs * 1000 + 2000,
      maxPending: c.max_pending_messages,
    });
  }
}
