// One error shape for every route and both API surfaces:
// `{code: <non-zero number>, error: <STABLE_CODE>, message, fields?}` with a real HTTP status.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeStorageFailure, isStorageFailure } from '../core/write-health.js';
import { type ErrorCode, ERROR_CODES, isSluiceError, SluiceError } from '../errors.js';
import { NAME_MAX_LENGTH } from '../metadata/definition.js';

/** The longest path segment routed: a name of the longest length, every character percent-encoded. */
export const MAX_PARAM_LENGTH = NAME_MAX_LENGTH * 3;

export interface ErrorBody {
  code: number;
  error: ErrorCode;
  message: string;
  fields?: { path: string; rule: string }[];
}

export function errorBody(e: SluiceError): ErrorBody {
  return { code: e.numericCode, error: e.code, message: e.message, ...(e.fields.length ? { fields: e.fields } : {}) };
}

export function sendError(reply: FastifyReply, e: SluiceError): FastifyReply {
  return reply.status(e.status).send(errorBody(e));
}

/** Only where the parser stopped: its own message quotes the body, which may hold a secret. */
function jsonPosition(message: string): string {
  const m = /position (\d+)/.exec(message);
  return m ? ` (at character ${m[1]})` : '';
}

/** A write the store cannot take (disk full, I/O error, read-only) is the service's state, not a bug: 503. */
function storageUnavailable(err: unknown): SluiceError {
  return new SluiceError('SERVICE_UNAVAILABLE', `the data store cannot take this change now: ${describeStorageFailure(err)}; nothing was changed, retry once the storage is fixed`);
}

function fromFastify(err: FastifyError, bodyLimit: number | undefined): SluiceError {
  const cause = (err as { cause?: unknown }).cause;
  if (isSluiceError(cause)) return cause;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SluiceError('PAYLOAD_TOO_LARGE', bodyLimit ? `request body is larger than ${bodyLimit} bytes` : 'request body is larger than the limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SluiceError('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new SluiceError('INVALID_JSON', 'request body is empty; a JSON object is expected');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new SluiceError('INVALID_JSON', `request body is not valid JSON${jsonPosition(err.message)}`);
    default:
      if (err instanceof SyntaxError || err.statusCode === 400) return new SluiceError('INVALID_JSON', `request body is not valid JSON${jsonPosition(err.message)}`);
      return new SluiceError('INTERNAL', 'internal error; see the server log');
  }
}

/** Errors the router raises before any route runs (too long a segment, bad percent-encoding). */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendError(reply, new SluiceError('URI_TOO_LONG', `a path segment is longer than ${MAX_PARAM_LENGTH} characters; names are at most ${NAME_MAX_LENGTH}`));
  } else if (err.code === 'FST_ERR_BAD_URL') {
    void sendError(reply, new SluiceError('VALIDATION_FAILED', 'path: is not a valid percent-encoded URL path', [{ path: 'path', rule: 'is not a valid percent-encoded URL path' }]));
  } else {
    void sendError(reply, new SluiceError('INTERNAL', 'internal error; see the server log'));
  }
}

/** Route patterns and their methods, to tell an unknown path (404) from a wrong method (405). */
class MethodTable {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];

  add(url: string, methods: string[]): void {
    const source = url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const pattern = new RegExp(`^${source}$`);
    const known = this.routes.find((r) => r.pattern.source === pattern.source);
    if (known) for (const m of methods) known.methods.add(m);
    else this.routes.push({ pattern, methods: new Set(methods) });
  }

  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const r of this.routes) if (r.pattern.test(path)) for (const m of r.methods) out.add(m);
    return [...out].sort();
  }
}

export function installErrorHandling(app: FastifyInstance): void {
  const table = new MethodTable();
  app.addHook('onRoute', (route) => table.add(route.url, Array.isArray(route.method) ? route.method : [route.method]));
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = isSluiceError(err) ? err : isStorageFailure(err) ? storageUnavailable(err) : fromFastify(err, req.routeOptions.bodyLimit);
    if (e.code === 'INTERNAL') req.log.error({ err }, 'request failed');
    else req.log.info({ code: e.code, message: e.message }, 'request refused');
    return sendError(reply, e);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const allowed = table.allowed(path);
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      return sendError(reply.header('allow', allowed.join(', ')), new SluiceError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`));
    }
    return sendError(reply, new SluiceError('NOT_FOUND', `no route ${req.method} ${path}`));
  });
}

export { ERROR_CODES };
