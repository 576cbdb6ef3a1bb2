// What a failed ClickHouse request means for the core, by the contract's rule (sink.ts). The
// server rejects an INSERT whose data it cannot parse or convert: permanent (the core then bisects
// the batch down to the bad rows). Throttling of this one INSERT (too many simultaneous queries,
// too many parts, memory limit) is retriable. Everything else — refused credentials or rights, a
// missing database or table, network errors, timeouts, 5xx without an exception, codes we do not
// know — is unavailable: no record is at fault, an operator or time fixes it, nothing is dropped.
import { ClickHouseError } from '@clickhouse/client';
import { SinkError, type SinkErrorKind } from '../sink.js';

/** Codes whose exceptions are about the inserted data itself. */
const DATA_ERROR_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  128, // TOO_LARGE_ARRAY_SIZE
  130, // CANNOT_READ_ARRAY_FROM_TEXT
  131, // TOO_LARGE_STRING_SIZE
  190, // SIZES_OF_ARRAYS_DOESNT_MATCH
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  407, // DECIMAL_OVERFLOW
  469, // VIOLATED_CONSTRAINT
  691, // UNKNOWN_ELEMENT_OF_ENUM
]);

/** UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, IP_ADDRESS_NOT_ALLOWED, ACCESS_DENIED, AUTHENTICATION_FAILED */
export const AUTH_ERROR_CODES = new Set([192, 193, 194, 195, 497, 516]);

/** One INSERT refused for load, that the same INSERT later may pass: MEMORY_LIMIT_EXCEEDED, TOO_MANY_SIMULTANEOUS_QUERIES, TOO_MANY_PARTS */
const THROTTLE_CODES = new Set([241, 202, 252]);

// 18.16 names the row and key it was reading when the data did not parse (an unknown Enum
// element there is code 49), whatever the code.
const ROW_CONTEXT = /\(while read the value of key |\(at row \d+\)/;

const MAX_MESSAGE_CHARS = 300;

export interface ServerError {
  code: number;
  /** the server's text without the code prefix and exception boilerplate, whitespace folded */
  message: string;
}

/** The exception a ClickHouse server answered with, in the 18.x or the current format; undefined for anything else. */
export function serverError(err: unknown): ServerError | undefined {
  if (err instanceof ClickHouseError) {
    const code = Number(err.code);
    if (Number.isInteger(code)) return { code, message: clean(err.message) };
  }
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  // 18.x: "Code: 27, e.displayText() = DB::Exception: Cannot parse input: …, e.what() = DB::Exception"
  const m = /Code: (\d+)[.,]\s*(?:e\.displayText\(\) = )?(?:DB::Exception: )?([\s\S]*)$/.exec(text);
  if (!m) return undefined;
  const body = (m[2] ?? '').replace(/,\s*e\.what\(\) = [\s\S]*$/, '').replace(/\s*\(version [^)]*\)\s*$/, '');
  return { code: Number(m[1]), message: clean(body) };
}

export function isDataError(e: ServerError): boolean {
  return DATA_ERROR_CODES.has(e.code) || ROW_CONTEXT.test(e.message);
}

/** The kind of any failure of a request: see the head of this file. */
export function clickhouseErrorKind(err: unknown): SinkErrorKind {
  const se = serverError(err);
  if (!se) return 'unavailable';
  if (AUTH_ERROR_CODES.has(se.code)) return 'unavailable';
  if (isDataError(se)) return 'permanent';
  return THROTTLE_CODES.has(se.code) ? 'retriable' : 'unavailable';
}

/** A failed INSERT as a SinkError of its kind. */
export function insertError(err: unknown, table: string, timeoutMs?: number): SinkError {
  return new SinkError(`clickhouse: INSERT into ${table} failed: ${describeError(err, timeoutMs)}`, clickhouseErrorKind(err));
}

/** A one-line reason for any failure: server text with its code, or the network error. */
export function describeError(err: unknown, timeoutMs?: number): string {
  const se = serverError(err);
  if (se) return `${se.message} (code ${se.code})`;
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map((e: unknown) => describeError(e, timeoutMs)))].join('; ');
  }
  if (err instanceof Error) {
    if (/^timeout error\.?$/i.test(err.message.trim()) && timeoutMs !== undefined) return `timed out after ${timeoutMs / 1000} s`;
    const code = (err as Error & { code?: unknown }).code;
    return clean(err.message || (typeof code === 'string' ? code : err.name));
  }
  return clean(String(err));
}

function clean(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…` : t;
}
