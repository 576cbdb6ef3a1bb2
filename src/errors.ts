// Every error Sluice answers with: a stable code, an HTTP status and a numeric code for the
// RobustMQ-compatible envelope. docs/*/admin-api.md lists them; test/docs.test.ts checks it.

export interface FieldError {
  /** dotted path of the offending field, e.g. `config.port` or `failure_strategy.wait_time_ms` */
  path: string;
  /** the rule it broke, e.g. `must be ≤ 65535` */
  rule: string;
}

export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, code: 1001, summary: 'the request or a config broke a schema rule; `fields` names each path and rule' },
  INVALID_JSON: { status: 400, code: 1002, summary: 'the body (or the `config` string) is not valid JSON' },
  UNKNOWN_CONNECTOR_TYPE: { status: 400, code: 1003, summary: 'the connector type is not registered; the message lists the known ones' },
  UNAUTHORIZED: { status: 401, code: 1004, summary: 'the bearer token is missing or wrong' },
  NOT_FOUND: { status: 404, code: 1005, summary: 'no connector (or route, or dead letter) by that name' },
  METHOD_NOT_ALLOWED: { status: 405, code: 1013, summary: 'the path exists but not with this method; the `Allow` header lists the methods it has' },
  CONFLICT: { status: 409, code: 1006, summary: 'a connector with that tenant and name exists already, or the revision given is stale' },
  PAYLOAD_TOO_LARGE: { status: 413, code: 1007, summary: 'the request body is larger than the limit' },
  URI_TOO_LONG: { status: 414, code: 1014, summary: 'a path segment is longer than any valid name, even percent-encoded' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 1008, summary: 'the body is not `application/json`' },
  SECRET_REFERENCE_UNRESOLVED: { status: 400, code: 1009, summary: 'a `${env:NAME}` or `${file:/path}` reference could not be resolved' },
  CONNECTIVITY_FAILED: { status: 422, code: 1010, summary: 'a connectivity probe of the sink failed; the message says why' },
  NOT_RUNNING: { status: 409, code: 1011, summary: 'the operation needs the runtime, which is not running for that connector' },
  SERVICE_UNAVAILABLE: { status: 503, code: 1012, summary: 'the store or the runtime is not usable right now' },
  INTERNAL: { status: 500, code: 1999, summary: 'an unexpected failure; the log has the details, the answer never has a stack trace' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SluiceError extends Error {
  readonly status: number;
  readonly numericCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = 'SluiceError';
    this.status = ERROR_CODES[code].status;
    this.numericCode = ERROR_CODES[code].code;
  }
}

export function validationError(fields: FieldError[]): SluiceError {
  const message = fields.map((f) => (f.path ? `${f.path}: ${f.rule}` : f.rule)).join('; ');
  return new SluiceError('VALIDATION_FAILED', message, fields);
}

export function isSluiceError(e: unknown): e is SluiceError {
  return e instanceof SluiceError;
}
