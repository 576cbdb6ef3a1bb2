// A small typed wrapper around fetch for the admin API: JSON in, JSON out, and every failure
// turned into a ServerError (the server's message and field errors) or an UnreachableError.
import { ServerError, UnreachableError, UsageError, type ServerFieldError } from './cli-errors.js';

export interface ClientConfig {
  /** base URL of the admin API, e.g. http://127.0.0.1:8080 (a path prefix is kept) */
  server: string;
  token?: string;
  timeoutMs?: number;
}

export type Query = Record<string, string | number | undefined>;

export interface RequestOptions {
  query?: Query;
  /** sent as JSON; when undefined no body (and no content-type) is sent */
  body?: unknown;
}

const DEFAULT_TIMEOUT_MS = 60_000;
// Visible ASCII only: anything else would make fetch throw an error that quotes the header value.
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

function parseServer(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError('--server / SLUICE_URL: expected an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--server / SLUICE_URL: expected an http:// or https:// URL');
  if (url.username || url.password) throw new UsageError('--server / SLUICE_URL: must not carry credentials; use --token or SLUICE_TOKEN');
  return url;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldErrors(v: unknown): ServerFieldError[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isRecord).map((f) => ({ path: String(f.path ?? ''), rule: String(f.rule ?? '') }));
}

function networkReason(e: unknown): string {
  const cause = e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
  const code = isRecord(cause) && typeof cause.code === 'string' ? cause.code : undefined;
  if (code) return code;
  if (cause instanceof Error) return cause.message;
  return e instanceof Error ? e.message : String(e);
}

export class ApiClient {
  /** scheme, host and port of the server: safe to show in messages */
  readonly origin: string;
  private readonly base: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(config: ClientConfig) {
    const url = parseServer(config.server);
    this.origin = url.origin;
    this.base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    if (config.token !== undefined && config.token !== '' && !TOKEN_PATTERN.test(config.token)) {
      throw new UsageError('--token / SLUICE_TOKEN: contains characters not allowed in an HTTP header');
    }
    this.token = config.token || undefined;
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.base}${path}${qs ? `?${qs}` : ''}`;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /** Answers of 204 resolve to undefined; callers of such routes type T accordingly. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url(path, opts.query), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      if (e instanceof Error && e.name === 'TimeoutError') {
        throw new UnreachableError(`no answer from the Sluice server at ${this.origin} within ${Math.round(this.timeoutMs / 1000)}s`);
      }
      throw new UnreachableError(`cannot reach the Sluice server at ${this.origin} (${networkReason(e)})`);
    }
    const text = await res.text().catch(() => '');
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = undefined;
      }
    }
    if (!res.ok) {
      if (isRecord(body) && typeof body.message === 'string') {
        throw new ServerError(res.status, typeof body.error === 'string' ? body.error : undefined, body.message, fieldErrors(body.fields));
      }
      throw new ServerError(res.status, undefined, `${method} ${path}: the server answered ${res.status} ${res.statusText}`.trim());
    }
    if (text !== '' && body === undefined) {
      throw new ServerError(res.status, undefined, `${method} ${path}: the server answered ${res.status} with a body that is not JSON; is ${this.origin} a Sluice server?`);
    }
    return body as T;
  }
}
