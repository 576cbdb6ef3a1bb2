// One WebSocket producer (`/ws/v2/producer/<topic>`): the broker creates a producer for the topic
// during the handshake and acks every frame with the frame's `context`. `send` pipelines a list of
// frames, at most `maxPending` unacked at once, and resolves with one outcome per frame: written,
// the broker's send error, no ack in time, or the socket closed first.
import WebSocket from 'ws';
import { SinkError } from '../sink.js';
import { ackTimeout, closedBeforeAck, connectError, sendError, Unreachable, upgradeError } from './errors.js';

export interface SocketOptions {
  headers: Record<string, string>;
  handshakeTimeoutMs: number;
  ackTimeoutMs: number;
  maxPending: number;
}

interface Ack {
  result?: string;
  errorMsg?: string;
  context?: string;
}

interface Pending {
  settle: (outcome: SinkError | undefined) => void;
  /** when the ack is overdue (performance.now() ms) */
  deadline: number;
}

export class ProducerSocket {
  private readonly pending = new Map<string, Pending>();
  private next = 0;
  private closedWith?: SinkError;
  /** one timer for the oldest pending ack (frames are acked about in the order sent) */
  private timer?: NodeJS.Timeout;

  private constructor(
    private readonly ws: WebSocket,
    private readonly topic: string,
    private readonly opts: SocketOptions,
  ) {
    ws.on('message', (data: WebSocket.RawData) => this.onAck(data));
    ws.on('close', (code: number, reason: Buffer) => this.onClose(closedBeforeAck(topic, code, reason.toString())));
    ws.on('error', (e: Error) => this.onClose(SinkError.unavailable(`pulsar: producer connection for ${topic}: ${e.message}`)));
  }

  /**
   * Opens the producer at the first of `urls` that answers (a host that cannot be reached is
   * skipped; an HTTP refusal is the broker's verdict); rejects with an unavailable SinkError.
   */
  static async openFirst(urls: readonly string[], topic: string, opts: SocketOptions): Promise<ProducerSocket> {
    let last: unknown;
    for (const url of urls) {
      try {
        return await ProducerSocket.open(url, topic, opts);
      } catch (e) {
        if (!(e instanceof Unreachable)) throw e;
        last = e;
      }
    }
    throw last;
  }

  /** Opens the producer; rejects with an unavailable SinkError saying why the broker refused it. */
  static open(url: string, topic: string, opts: SocketOptions): Promise<ProducerSocket> {
    return new Promise((resolve, reject) => {
      // no permessage-deflate: zlib per frame costs more CPU (here and in the broker) than it saves on small messages; `compression` compresses what is stored
      const ws = new WebSocket(url, { headers: opts.headers, handshakeTimeout: opts.handshakeTimeoutMs, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });
      const fail = (e: SinkError): void => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(e);
      };
      ws.once('open', () => {
        ws.removeAllListeners();
        resolve(new ProducerSocket(ws, topic, opts));
      });
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { if (body.length < 8192) body += c; });
        res.on('end', () => fail(upgradeError(res.statusCode ?? 0, body, topic)));
        res.on('error', () => fail(upgradeError(res.statusCode ?? 0, body, topic)));
      });
      ws.once('error', (e: Error) => fail(connectError(e, url.replace(/\?.*$/, ''))));
    });
  }

  get usable(): boolean {
    return this.closedWith === undefined && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends every frame once; outcome i is undefined when frame i was acked as written. */
  async send(frames: readonly ((context: string) => string)[]): Promise<(SinkError | undefined)[]> {
    const outcomes: (SinkError | undefined)[] = new Array<SinkError | undefined>(frames.length);
    let sent = 0;
    await new Promise<void>((done) => {
      let settled = 0;
      const pump = (): void => {
        while (sent < frames.length && this.pending.size < this.opts.maxPending) {
          const i = sent++;
          if (this.closedWith) {
            outcomes[i] = this.closedWith;
            settled++;
          } else {
            this.sendOne(frames[i] as (c: string) => string, i, settleAt);
          }
        }
        if (settled === frames.length) done();
      };
      const settleAt = (i: number, outcome: SinkError | undefined): void => {
        outcomes[i] = outcome;
        settled++;
        pump();
      };
      pump();
    });
    return outcomes;
  }

  close(): void {
    this.onClose(SinkError.unavailable(`pulsar: producer for ${this.topic} closed by the sink`));
    this.ws.removeAllListeners();
    this.ws.on('error', () => undefined);
    this.ws.close(1000);
    // a broker that does not answer the close handshake must not keep the socket
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  private sendOne(frame: (context: string) => string, index: number, settleAt: (i: number, o: SinkError | undefined) => void): void {
    const context = String(this.next++);
    let done = false;
    const settle = (outcome: SinkError | undefined): void => {
      if (done) return;
      done = true;
      this.pending.delete(context);
      settleAt(index, outcome);
    };
    this.pending.set(context, { settle, deadline: performance.now() + this.opts.ackTimeoutMs });
    this.armTimer();
    // a failed write closes the socket: the close settles what is pending
    this.ws.send(frame(context));
  }

  private armTimer(): void {
    if (this.timer || this.pending.size === 0) return;
    const oldest = this.pending.values().next().value as Pending;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      for (const p of [...this.pending.values()]) if (p.deadline <= now) p.settle(ackTimeout(this.topic, this.opts.ackTimeoutMs / 1000));
      this.armTimer();
    }, Math.max(0, oldest.deadline - performance.now()) + 5);
    this.timer.unref();
  }

  private onAck(data: WebSocket.RawData): void {
    let ack: Ack;
    try {
      ack = JSON.parse(data.toString()) as Ack;
    } catch {
      return; // not an ack: nothing pending can be matched to it
    }
    const p = ack.context === undefined ? undefined : this.pending.get(ack.context);
    if (!p) return; // an ack after its timeout
    p.settle(ack.result === 'ok' ? undefined : sendError(ack.result ?? 'send-error', ack.errorMsg, this.topic));
  }

  private onClose(why: SinkError): void {
    this.closedWith ??= why;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const p of [...this.pending.values()]) p.settle(this.closedWith);
  }
}
