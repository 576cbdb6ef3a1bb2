// The webhook sink: sends each batch as one HTTP request whose body is always a JSON array of
// records (see record-json.ts), whatever the batch size. The HTTP status decides the outcome for
// the whole batch as errors.ts classifies it.
import { networkReason } from '../http-failure.js';
import { connect } from 'node:net';
import type { WebhookConfig } from '../../metadata/configs/webhook.js';
import { requestError, statusError } from './errors.js';
import { batchBody } from './mapping.js';
import { notStarted, SinkError, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';

const BODY_SNIPPET_CHARS = 200;

export function createWebhookSink(config: WebhookConfig, ctx: SinkContext): ConnectorSink {
  return new WebhookSink(config, ctx);
}

class WebhookSink implements ConnectorSink {
  /** aborts in-flight requests on cleanup */
  private closing = new AbortController();
  private started = false;

  constructor(
    private readonly cfg: WebhookConfig,
    private readonly ctx: SinkContext,
  ) {}

  async validate(): Promise<void> {
    const url = parseUrl(this.cfg.url);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const target = `${url.hostname}:${port}`;
    await tcpProbe(host, port, this.cfg.timeout_ms).catch((err: unknown) => {
      throw new Error(`webhook sink: cannot reach ${target}: ${networkReason(err, this.cfg.timeout_ms)}`);
    });
  }

  async init(): Promise<void> {
    if (this.closing.signal.aborted) this.closing = new AbortController();
    const { url } = this.target();
    this.started = true;
    this.ctx.log('info', 'webhook sink ready', { url, method: this.cfg.method.toUpperCase() });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('webhook');
    if (records.length === 0) return { failed: [] };
    const { href, url, headers } = this.target();
    const method = this.cfg.method.toUpperCase();
    const where = `${method} ${url}`;
    let res: Response;
    try {
      res = await fetch(href, {
        method,
        headers,
        body: batchBody(records),
        // A redirected POST may silently turn into a GET: report it instead of following it.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.cfg.timeout_ms), this.closing.signal]),
      });
    } catch (err) {
      throw requestError(err, where, this.cfg.timeout_ms);
    }
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => undefined);
      return { failed: [] };
    }
    throw statusError(res.status, res.statusText, where, await readSnippet(res, BODY_SNIPPET_CHARS), res.headers);
  }

  async cleanup(): Promise<void> {
    this.started = false;
    this.closing.abort(new Error('sink closed'));
  }

  /** The request target: userinfo in the URL becomes basic auth (fetch refuses it inline). */
  private target(): { href: string; url: string; headers: Headers } {
    const u = parseUrl(this.cfg.url);
    const headers = new Headers({ 'content-type': 'application/json' });
    for (const [k, v] of Object.entries(this.cfg.headers)) headers.set(k, v);
    if (this.cfg.auth_type === 'basic') {
      headers.set('authorization', basicAuth(this.cfg.username ?? '', this.cfg.password ?? ''));
    } else if (this.cfg.auth_type === 'bearer') {
      headers.set('authorization', `Bearer ${this.cfg.bearer_token ?? ''}`);
    } else if (u.username || u.password) {
      headers.set('authorization', basicAuth(decodeURIComponent(u.username), decodeURIComponent(u.password)));
    }
    u.username = '';
    u.password = '';
    // Shown in messages and logs: no userinfo, no query string (either may carry a secret).
    return { href: u.href, url: `${u.protocol}//${u.host}${u.pathname}`, headers };
  }
}

function parseUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw SinkError.unavailable('webhook sink: url is not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw SinkError.unavailable(`webhook sink: url must be http:// or https://, got ${u.protocol}`);
  return u;
}

function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** The first `max` characters of the body, whitespace folded; reads no more than needed. */
async function readSnippet(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < max) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // a body cut short still leaves the status to report
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Opens and closes a TCP connection: proves the host resolves and something listens, without sending a request. */
function tcpProbe(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}
