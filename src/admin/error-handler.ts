// One error shape for every route and both API surfaces:
// `{code: <non-zero number>, error: <STABLE_CODE>, message, fields?}` with a real HTTP status.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { type ErrorCode, ERROR_CODES, isSluiceError, SluiceError } from '../errors.js';

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
      return new SluiceError('INVALID_JSON', `request body is not valid JSON: ${err.message}`);
    default:
      if (err instanceof SyntaxError || err.statusCode === 400) return new SluiceError('INVALID_JSON', `request body is not valid JSON: ${err.message}`);
      return new SluiceError('INTERNAL', 'internal error; see the server log');
  }
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = isSluiceError(err) ? err : fromFastify(err, req.routeOptions.bodyLimit);
    if (e.code === 'INTERNAL') req.log.error({ err }, 'request failed');
    else req.log.info({ code: e.code, message: e.message }, 'request refused');
    return sendError(reply, e);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, new SluiceError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
}

export { ERROR_CODES };
