// The only way the console talks to Sluice: the public /api/v1 API, with the bearer token kept
// in sessionStorage (never localStorage) when the server asks for one.
const TOKEN_KEY = 'sluice.token';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error;
    /** [{path, rule}] for validation errors */
    this.fields = body?.fields ?? [];
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

const listeners = new Set();
/** called with the error when the server refuses the token (401) */
export function onUnauthorized(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export async function api(method, path, body) {
  const headers = {};
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { message: text.slice(0, 300) };
  }
  if (!res.ok) {
    const err = new ApiError(res.status, parsed);
    if (res.status === 401) for (const fn of listeners) fn(err);
    throw err;
  }
  return parsed;
}

export const enc = encodeURIComponent;
export const q = (tenant) => `?tenant=${enc(tenant ?? 'default')}`;
export const connectorPath = (c, rest = '') => `/api/v1/connectors/${enc(c.name)}${rest}${q(c.tenant)}`;
