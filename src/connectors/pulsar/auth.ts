// The Authorization header of every producer handshake: a token (`Bearer`), basic credentials
// (`Basic`), or an OAuth 2.0 access token fetched with the client-credentials grant from the token
// endpoint that `<issuer_url>/.well-known/openid-configuration` names, kept until shortly before it
// expires. A failure to get one is unavailable: an operator fixes the identity provider or the
// credentials; no record is at fault.
import type { PulsarConfig } from '../../metadata/configs/pulsar.js';
import { SinkError } from '../sink.js';

export interface OAuthCredentials {
  issuer_url: string;
  client_id: string;
  client_secret: string;
  audience?: string;
  scope?: string;
}

/** The oauth field's JSON, or what is wrong with it (the message never holds the secret). */
export function parseOAuth(text: string): OAuthCredentials | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'is not JSON: expected {"issuer_url": …, "client_id": …, "client_secret": …}' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'expected a JSON object with issuer_url, client_id and client_secret' };
  const o = v as Record<string, unknown>;
  for (const k of ['issuer_url', 'client_id', 'client_secret']) {
    if (typeof o[k] !== 'string' || o[k] === '') return { error: `needs ${k} (a non-empty string)` };
  }
  for (const k of ['audience', 'scope']) {
    if (o[k] !== undefined && typeof o[k] !== 'string') return { error: `${k} must be a string` };
  }
  if (!/^https?:\/\/\S+$/.test(o.issuer_url as string)) return { error: 'issuer_url must be an http:// or https:// URL' };
  return o as unknown as OAuthCredentials;
}

export type AuthHeader = () => Promise<string | undefined>;

export function authHeader(cfg: PulsarConfig): AuthHeader {
  if (cfg.token !== undefined) {
    const h = `Bearer ${cfg.token}`;
    return () => Promise.resolve(h);
  }
  if (cfg.basic_name !== undefined) {
    const h = `Basic ${Buffer.from(`${cfg.basic_name}:${cfg.basic_password ?? ''}`).toString('base64')}`;
    return () => Promise.resolve(h);
  }
  if (cfg.oauth !== undefined) {
    const creds = parseOAuth(cfg.oauth);
    if ('error' in creds) return () => Promise.reject(SinkError.unavailable(`pulsar: oauth ${creds.error}`));
    return oauthHeader(creds, cfg.operation_timeout_secs * 1000);
  }
  return () => Promise.resolve(undefined);
}

function oauthHeader(creds: OAuthCredentials, timeoutMs: number): AuthHeader {
  let cached: { header: string; renewAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const issuer = creds.issuer_url.replace(/\/+$/, '');
    const discovery = await getJson(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(timeoutMs) }, 'the OpenID discovery document');
    const endpoint = discovery.token_endpoint;
    if (typeof endpoint !== 'string') throw SinkError.unavailable(`pulsar: oauth: ${issuer}/.well-known/openid-configuration names no token_endpoint`);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.client_id, client_secret: creds.client_secret });
    if (creds.audience !== undefined) form.set('audience', creds.audience);
    if (creds.scope !== undefined) form.set('scope', creds.scope);
    const token = await getJson(endpoint, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) }, 'an access token');
    if (typeof token.access_token !== 'string' || token.access_token === '') throw SinkError.unavailable(`pulsar: oauth: ${endpoint} answered without an access_token`);
    const lifeMs = typeof token.expires_in === 'number' && token.expires_in > 0 ? token.expires_in * 1000 : 3_600_000;
    // renew at 90 % of the lifetime (at most a minute early), so a handshake never carries an expired token
    cached = { header: `Bearer ${token.access_token}`, renewAt: Date.now() + Math.max(lifeMs * 0.9, lifeMs - 60_000) };
    return cached.header;
  };
  return async () => {
    if (cached && Date.now() < cached.renewAt) return cached.header;
    inFlight ??= fetchToken().finally(() => { inFlight = undefined; });
    return inFlight;
  };
}

async function getJson(url: string, init: RequestInit, what: string): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw SinkError.unavailable(`pulsar: oauth: cannot fetch ${what} from ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const body = await res.text().catch(() => '');
  if (!res.ok) throw SinkError.unavailable(`pulsar: oauth: ${url} answered HTTP ${res.status} for ${what}${body ? `: ${body.slice(0, 300)}` : ''}`);
  try {
    const v = JSON.parse(body) as unknown;
    if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw SinkError.unavailable(`pulsar: oauth: ${url} answered ${what} that is not a JSON object`);
}
