// One connection that LISTENs on a channel and reconnects (capped backoff) when it breaks. After a
// reconnect it reports `undefined`: notifications may have been missed, the reader resyncs.
import pg from 'pg';
import { maskText } from './secret-masking.js';

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

export class PostgresListener {
  private client?: pg.Client;
  private handlers: ((payload: string | undefined) => void)[] = [];
  private stopped = false;
  private backoff = MIN_BACKOFF_MS;
  private timer?: NodeJS.Timeout;
  connected = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  onMessage(handler: (payload: string | undefined) => void): void {
    this.handlers.push(handler);
  }

  /** The first connection must succeed (a wrong URL fails the start); later breaks reconnect. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000, keepAlive: true });
    client.on('notification', (n) => {
      if (n.channel === this.channel) this.emit(n.payload);
    });
    client.on('error', (e) => this.broken(client, e));
    client.on('end', () => this.broken(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.client = client;
    this.connected = true;
    this.backoff = MIN_BACKOFF_MS;
  }

  private emit(payload: string | undefined): void {
    for (const h of this.handlers) h(payload);
  }

  private broken(client: pg.Client, e: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.connected = false;
    client.end().catch(() => undefined);
    this.onError(`the definition store's change feed broke, reconnecting: ${maskText(e.message)}`);
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect().then(
        () => this.emit(undefined),
        (e: Error) => {
          this.onError(`the definition store's change feed cannot reconnect: ${maskText(e.message)}`);
          this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
          this.retry();
        },
      );
    }, this.backoff);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    this.connected = false;
    await c?.end().catch(() => undefined);
  }
}
