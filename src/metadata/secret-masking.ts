// Secrets that live inside ordinary values: a URL's userinfo password, sensitive query
// parameters and sensitive request headers. Reads show `******` in their place; writing the
// masked form back puts the stored value in again, as for the fields marked secret.
import { SluiceError } from '../errors.js';

export const MASK = '******';

/** Query parameters whose values are credentials (compared case-insensitively). */
export const SENSITIVE_QUERY_PARAMS = ['token', 'access_token', 'apikey', 'api_key', 'key', 'password', 'secret', 'signature', 'sig'] as const;

const QUERY_NAMES = new Set<string>(SENSITIVE_QUERY_PARAMS);
const HEADER_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
const HEADER_WORDS = ['token', 'secret', 'key', 'auth'];

/** Authorization, Proxy-Authorization, Cookie, X-Api-Key and any name containing token, secret, key or auth. */
export function isSensitiveHeader(name: string): boolean {
  const n = name.toLowerCase();
  return HEADER_NAMES.has(n) || HEADER_WORDS.some((w) => n.includes(w));
}

const SCHEME_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s;

interface UrlParts {
  prefix: string;
  user?: string;
  password?: string;
  hostAndRest: string;
}

function splitUrl(url: string): UrlParts | undefined {
  const m = SCHEME_AUTHORITY.exec(url);
  if (!m) return undefined;
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  if (at < 0) return { prefix: scheme, hostAndRest: authority + rest };
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  return {
    prefix: scheme,
    user: colon < 0 ? userinfo : userinfo.slice(0, colon),
    password: colon < 0 ? undefined : userinfo.slice(colon + 1),
    hostAndRest: authority.slice(at + 1) + rest,
  };
}

function joinUrl(p: UrlParts): string {
  if (p.user === undefined) return p.prefix + p.hostAndRest;
  return `${p.prefix}${p.user}${p.password === undefined ? '' : `:${p.password}`}@${p.hostAndRest}`;
}

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** Calls `replace(name, value, index)` for each query parameter; its answer becomes the value. */
function mapQuery(hostAndRest: string, replace: (name: string, value: string, index: number) => string): string {
  const q = hostAndRest.indexOf('?');
  if (q < 0) return hostAndRest;
  const hash = hostAndRest.indexOf('#', q);
  const end = hash < 0 ? hostAndRest.length : hash;
  const seen = new Map<string, number>();
  const query = hostAndRest
    .slice(q + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = decodedName(pair.slice(0, eq));
      const index = seen.get(name) ?? 0;
      seen.set(name, index + 1);
      return `${pair.slice(0, eq)}=${replace(name, pair.slice(eq + 1), index)}`;
    })
    .join('&');
  return hostAndRest.slice(0, q + 1) + query + hostAndRest.slice(end);
}

function queryValue(hostAndRest: string, name: string, index: number): string | undefined {
  let found: string | undefined;
  mapQuery(hostAndRest, (n, v, i) => {
    if (n === name && i === index) found = v;
    return v;
  });
  return found;
}

/** The URL with its userinfo password and sensitive query values replaced by `******`. */
export function maskUrl(url: string): string {
  const p = splitUrl(url);
  if (!p) return url;
  if (p.password !== undefined && p.password !== '') p.password = MASK;
  p.hostAndRest = mapQuery(p.hostAndRest, (name, value) => (QUERY_NAMES.has(name) && value !== '' ? MASK : value));
  return joinUrl(p);
}

/**
 * The incoming URL with every `******` (as password or sensitive query value) replaced by the
 * stored URL's value at the same place; an error names the field when there is nothing to keep.
 */
export function keepStoredUrl(incoming: string, stored: unknown, path: string): string {
  if (!incoming.includes(MASK)) return incoming;
  const p = splitUrl(incoming);
  if (!p) return incoming;
  const s = typeof stored === 'string' ? splitUrl(stored) : undefined;
  const missing = (what: string) => new SluiceError('VALIDATION_FAILED', `${path}: ${what} is ${MASK} but no stored value to keep`, [{ path, rule: `${what} is ${MASK} but no stored value to keep` }]);
  if (p.password === MASK) {
    if (s?.password === undefined) throw missing('the URL password');
    p.password = s.password;
  }
  p.hostAndRest = mapQuery(p.hostAndRest, (name, value, index) => {
    if (value !== MASK || !QUERY_NAMES.has(name)) return value;
    const kept = s ? queryValue(s.hostAndRest, name, index) : undefined;
    if (kept === undefined) throw missing(`query parameter ${name}`);
    return kept;
  });
  return joinUrl(p);
}

export function maskHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, isSensitiveHeader(k) && typeof v === 'string' && v !== '' ? MASK : v]));
}

export function keepStoredHeaders(incoming: Record<string, unknown>, stored: unknown, path: string): Record<string, unknown> {
  const old = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const byName = new Map(Object.entries(old).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(
    Object.entries(incoming).map(([k, v]) => {
      if (v !== MASK || !isSensitiveHeader(k)) return [k, v];
      const kept = byName.get(k.toLowerCase());
      if (kept === undefined) throw new SluiceError('VALIDATION_FAILED', `${path}.${k}: is ${MASK} but no stored value to keep`, [{ path: `${path}.${k}`, rule: `is ${MASK} but no stored value to keep` }]);
      return [k, kept];
    }),
  );
}

const URL_IN_TEXT = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>]+/g;

/** Masks every URL found in free text (error messages, log lines, dead-letter reasons). */
export function maskText(text: string): string {
  return text.replace(URL_IN_TEXT, (u) => maskUrl(u));
}
