// The sink's HTTP: node:http / node:https with one keep-alive agent (so the CA, client
// certificate and verification settings apply to every request), the Authorization header of
// `auth_type`, a per-request timeout and an abort on cleanup. Redirects are not followed (an
// operator fixes `url`). Elastic's official client is not used: it refuses servers that are not
// Elasticsearch (OpenSearch), and the sink needs nothing but two requests.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ElasticsearchConfig } from '../../metadata/configs/elasticsearch.js';
import { referencePolicyFromEnv, resolvedFilePath } from '../../metadata/reference-policy.js';
import type { HttpAnswer } from './errors.js';

export class EsHttp {
  private readonly base: URL;
  private readonly tls: boolean;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly auth?: string;
  readonly timeoutMs: number;
  /** the url without credentials or query, for messages and logs */
  readonly target: string;

  constructor(cfg: ElasticsearchConfig, policy = referencePolicyFromEnv()) {
    this.base = new URL(cfg.url.replace(/\/+$/, ''));
    this.tls = this.base.protocol === 'https:' || cfg.enable_tls;
    this.timeoutMs = cfg.timeout_secs * 1000;
    this.target = `${this.tls ? 'https' : 'http'}://${this.base.host}${this.base.pathname.replace(/\/+$/, '')}`;
    if (this.tls) {
      const ca = cfg.ca_cert_path !== undefined ? readFileSync(resolvedFilePath(cfg.ca_cert_path, policy), 'utf8') : cfg.tls_ca;
      this.agent = new HttpsAgent({ keepAlive: true, maxSockets: 4, ca, cert: cfg.tls_cert, key: cfg.tls_key, rejectUnauthorized: !cfg.tls_insecure_skip_verify });
    } else {
      this.agent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
    }
    if (cfg.auth_type === 'basic') this.auth = `Basic ${Buffer.from(`${cfg.username ?? ''}:${cfg.password ?? ''}`).toString('base64')}`;
    else if (cfg.auth_type === 'apikey') this.auth = `ApiKey ${cfg.api_key ?? ''}`;
  }

  /** One request to `<url><path>`; rejects when no answer came (network error, timeout, abort). */
  send(method: 'GET' | 'POST', path: string, body: string | undefined, contentType: string, signal: AbortSignal): Promise<HttpAnswer> {
    const headers: OutgoingHttpHeaders = { accept: 'application/json' };
    if (this.auth !== undefined) headers.authorization = this.auth;
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = payload.length;
    }
    const request = this.tls ? httpsRequest : httpRequest;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = request({
        protocol: this.tls ? 'https:' : 'http:',
        hostname: this.base.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: this.base.port || (this.tls ? 443 : 80),
        path: `${this.base.pathname.replace(/\/+$/, '')}${path}`,
        method,
        headers,
        agent: this.agent,
        signal,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: header(res.headers, 'retry-after') }));
      });
      req.setTimeout(this.timeoutMs, () => {
        const e = new Error(`timed out after ${this.timeoutMs} ms`);
        e.name = 'TimeoutError';
        req.destroy(e);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}
