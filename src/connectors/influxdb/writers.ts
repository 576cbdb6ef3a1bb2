// The two ways a batch of lines reaches InfluxDB, each with its probe for validate():
// - v2: `/api/v2/write` through @influxdata/influxdb-client, its own batching and retries off
//   (one WriteApi per batch, sized to the batch, flushed once, maxRetries 0);
// - v1: `POST /write?db=&precision=` with fetch; the password travels in a basic-auth header,
//   never in the URL.
// Probe: reachability (v2 `/health`, else `/ping`; v1 `/ping`), then an EMPTY write with the
// credentials, which InfluxDB checks exactly like a real one: 401/403 for the credentials, 404 for
// a missing database / bucket / org. (SHOW DATABASES would hide a database from a write-only user.)
import { HttpError, InfluxDB, setLogger } from '@influxdata/influxdb-client';
import type { InfluxdbConfig } from '../../metadata/configs/influxdb.js';

type Precision = InfluxdbConfig['precision'];
import { networkReason } from '../http-failure.js';
import { errorDetail, failureToSinkError, unreachable } from './errors.js';

export interface InfluxWriter {
  /** the server without credentials or query, for messages and logs */
  readonly target: string;
  /** throws an Error whose message says what is wrong */
  probe(): Promise<void>;
  /** one write request of newline-joined lines; throws a SinkError */
  write(lines: readonly string[]): Promise<void>;
  close(): void;
}

// The client logs every failed write to the console; this sink reports them itself.
setLogger({ error: () => undefined, warn: () => undefined });

/** v1 spells micro- and nanoseconds `u` and `n` (it reads `us` as nanoseconds). */
const V1_PRECISION: Record<Precision, string> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

export function v1PrecisionParam(p: Precision): string {
  return V1_PRECISION[p];
}

export function createWriter(cfg: InfluxdbConfig): InfluxWriter {
  return cfg.version === 'v1' ? new V1Writer(cfg) : new V2Writer(cfg);
}

/** Where a line-protocol server is and how long a request may take; label names the sink in messages. */
export interface HttpTarget {
  server: string;
  timeout_secs: number;
  label: string;
}

/** The HTTP plumbing of a line-protocol writer, shared with the greptime sink. */
export abstract class HttpWriter {
  readonly target: string;
  protected readonly base: URL;
  protected readonly timeoutMs: number;
  protected readonly label: string;
  protected closing = new AbortController();

  constructor(t: HttpTarget) {
    this.label = t.label;
    let u: URL;
    try {
      u = new URL(t.server);
    } catch {
      throw new Error(`${t.label} sink: server is not a valid URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${t.label} sink: server must be http:// or https://, got ${u.protocol}`);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    this.base = u;
    this.target = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    this.timeoutMs = t.timeout_secs * 1000;
  }

  close(): void {
    this.closing.abort(new Error('sink closed'));
    this.closing = new AbortController();
  }

  protected url(path: string, params: Record<string, string> = {}): string {
    const u = new URL(this.base.href);
    u.pathname = `${u.pathname.replace(/\/+$/, '')}${path}`;
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.href;
  }

  protected async request(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; headers: Headers }> {
    const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.closing.signal]) });
    const text = await res.text();
    return { status: res.status, text, headers: res.headers };
  }

  /** GET path; resolves with the status, or throws `cannot reach …`. */
  protected async reach(path: string): Promise<number> {
    try {
      return (await this.request('GET', this.url(path), {})).status;
    } catch (e) {
      throw new Error(`${this.label} sink: cannot reach ${this.target}: ${networkReason(e, this.timeoutMs)}`);
    }
  }

  /** The empty write of the probe: fine unless the server refuses the credentials or the target. */
  protected async emptyWrite(url: string, headers: Record<string, string>, what: { credentials: string; missing: string }): Promise<void> {
    let res: { status: number; text: string; headers: Headers };
    try {
      res = await this.request('POST', url, { ...headers, 'content-type': 'text/plain; charset=utf-8' }, '');
    } catch (e) {
      throw new Error(`${this.label} sink: cannot reach ${this.target}: ${networkReason(e, this.timeoutMs)}`);
    }
    if (res.status < 300) return;
    const detail = errorDetail(res.text, res.headers.get('x-influxdb-error'));
    const suffix = detail ? ` (HTTP ${res.status}: ${detail})` : ` (HTTP ${res.status})`;
    if (res.status === 401 || res.status === 403) throw new Error(`${this.label} sink: ${this.target} refused ${what.credentials}${suffix}`);
    if (res.status === 404) throw new Error(`${this.label} sink: ${what.missing}${suffix}`);
    if (res.status >= 500) throw new Error(`${this.label} sink: ${this.target} cannot take writes${suffix}`);
    // any other answer to an empty body (e.g. 400 "no points"): the credentials and target passed
  }

  /** One POST of newline-joined lines; throws a SinkError classified by errors.ts. */
  protected async postLines(url: string, headers: Record<string, string>, lines: readonly string[], where: string, credentials: string): Promise<void> {
    let res: { status: number; text: string; headers: Headers };
    try {
      res = await this.request('POST', url, { ...headers, 'content-type': 'text/plain; charset=utf-8' }, lines.join('\n'));
    } catch (e) {
      throw unreachable(where, networkReason(e, this.timeoutMs), this.label);
    }
    if (res.status >= 200 && res.status < 300) return;
    throw failureToSinkError(where, {
      status: res.status,
      detail: errorDetail(res.text, res.headers.get('x-influxdb-error')),
      retryAfter: res.headers.get('retry-after'),
    }, credentials, Date.now(), this.label);
  }
}

class V1Writer extends HttpWriter implements InfluxWriter {
  constructor(private readonly cfg: InfluxdbConfig) {
    super({ server: cfg.server, timeout_secs: cfg.timeout_secs, label: 'influxdb' });
  }

  private headers(): Record<string, string> {
    if (this.cfg.username === '' && this.cfg.password === '') return {};
    return { authorization: `Basic ${Buffer.from(`${this.cfg.username}:${this.cfg.password}`, 'utf8').toString('base64')}` };
  }

  private writeUrl(): string {
    return this.url('/write', { db: this.cfg.database, precision: v1PrecisionParam(this.cfg.precision) });
  }

  async probe(): Promise<void> {
    const ping = await this.reach('/ping');
    if (ping >= 300) throw new Error(`influxdb sink: ${this.target}/ping answered HTTP ${ping}: is this an InfluxDB 1.x server?`);
    const db = this.cfg.database;
    await this.emptyWrite(this.writeUrl(), this.headers(), {
      credentials: this.cfg.username ? `user ${JSON.stringify(this.cfg.username)}: check username, password and its WRITE privilege on ${JSON.stringify(db)}` : 'an anonymous write: set username and password',
      missing: `database ${JSON.stringify(db)} does not exist on ${this.target}: create it (CREATE DATABASE ${quoteIdent(db)}) or fix database`,
    });
  }

  async write(lines: readonly string[]): Promise<void> {
    const where = `write to ${this.target} (database ${JSON.stringify(this.cfg.database)})`;
    await this.postLines(this.writeUrl(), this.headers(), lines, where, 'username, password and the user\'s WRITE privilege');
  }
}

class V2Writer extends HttpWriter implements InfluxWriter {
  constructor(private readonly cfg: InfluxdbConfig) {
    super({ server: cfg.server, timeout_secs: cfg.timeout_secs, label: 'influxdb' });
  }

  private headers(): Record<string, string> {
    return this.cfg.token ? { authorization: `Token ${this.cfg.token}` } : {};
  }

  async probe(): Promise<void> {
    let path = '/health';
    let status = await this.reach(path);
    if (status === 404) status = await this.reach((path = '/ping'));
    if (status >= 300) throw new Error(`influxdb sink: ${this.target}${path} answered HTTP ${status}: is the server up and healthy?`);
    const { org, bucket, precision } = this.cfg;
    await this.emptyWrite(this.url('/api/v2/write', { org, bucket, precision }), this.headers(), {
      credentials: `the token: check token and its write permission on bucket ${JSON.stringify(bucket)}`,
      missing: `bucket ${JSON.stringify(bucket)} or org ${JSON.stringify(org)} not found on ${this.target}: create it or fix bucket / org`,
    });
  }

  async write(lines: readonly string[]): Promise<void> {
    const where = `write to ${this.target} (org ${JSON.stringify(this.cfg.org)}, bucket ${JSON.stringify(this.cfg.bucket)})`;
    // A client per write so that its request carries this write's deadline: the client's own
    // `timeout` only reports an idle socket and leaves the request open.
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const client = new InfluxDB({
      url: this.base.href.replace(/\/+$/, ''),
      token: this.cfg.token || undefined,
      timeout: this.timeoutMs,
      transportOptions: { signal: AbortSignal.any([deadline, this.closing.signal]) },
    });
    // Sized so that the client never sends (or swallows the error of) a partial batch on its own.
    const api = client.getWriteApi(this.cfg.org, this.cfg.bucket, this.cfg.precision, {
      batchSize: lines.length + 1,
      maxBatchBytes: Number.POSITIVE_INFINITY,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: lines.length + 1,
    });
    try {
      api.writeRecords([...lines]);
      await api.flush();
    } catch (e) {
      if (e instanceof HttpError) {
        const header = (name: string): string | null => {
          const v = e.headers?.[name];
          return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
        };
        throw failureToSinkError(where, { status: e.statusCode, detail: errorDetail(e.body ?? '', header('x-influxdb-error')) || e.message, retryAfter: header('retry-after') }, 'token');
      }
      const why = deadline.aborted ? `timed out after ${this.timeoutMs} ms` : networkReason(e, this.timeoutMs);
      throw unreachable(where, why);
    } finally {
      api.dispose();
    }
  }
}

/** An InfluxQL identifier in double quotes. */
function quoteIdent(name: string): string {
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}
