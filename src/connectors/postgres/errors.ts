// What a failed PostgreSQL statement means for the core, by the contract's rule (sink.ts), read
// from the SQLSTATE the server answered with. Data the server refuses for a row (class 22 data
// exceptions, class 23 constraint violations, a row too large) is permanent: a batch statement
// failing with it is bisected by the core down to the row. A transaction that lost a race
// (serialization failure, deadlock, lock not available) is retriable. Everything else — no
// connection, refused credentials or rights, too many connections, a server shutting down, a
// missing table or column, a statement timeout, codes not listed — is unavailable: no record is
// at fault and nothing is dropped.
import { SinkError, type SinkErrorKind } from '../sink.js';

const PERMANENT_CLASSES = new Set(['22', '23']);
const PERMANENT_CODES = new Set([
  '21000', // cardinality_violation (ON CONFLICT DO UPDATE hitting one row twice)
  '54000', // program_limit_exceeded (e.g. an index row too large for this value)
]);
const RETRIABLE_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '40003', // statement_completion_unknown
]);

const MAX_MESSAGE_CHARS = 400;

interface PgErrorFields {
  code?: unknown;
  detail?: unknown;
  hint?: unknown;
  column?: unknown;
  constraint?: unknown;
}

/** The SQLSTATE of a server error (five characters), or undefined for network and client errors. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as PgErrorFields | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function postgresErrorKind(err: unknown): SinkErrorKind {
  const state = sqlState(err);
  if (state === undefined) return 'unavailable';
  if (RETRIABLE_CODES.has(state)) return 'retriable';
  if (PERMANENT_CODES.has(state) || PERMANENT_CLASSES.has(state.slice(0, 2))) return 'permanent';
  return 'unavailable';
}

/** A one-line reason: the server's message with its SQLSTATE and detail, or the network error. */
export function describePgError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return [...new Set(err.errors.map(describePgError))].join('; ');
  if (!(err instanceof Error)) return clean(String(err));
  const e = err as Error & PgErrorFields;
  const state = sqlState(err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  let text = e.message || code || e.name;
  if (typeof e.detail === 'string' && e.detail) text += ` (${e.detail})`;
  if (state === '42P10') text += ' — the default row needs a primary key or unique index on id (create_table makes one)';
  if (state !== undefined) text += ` [SQLSTATE ${state}]`;
  else if (code !== undefined && !text.includes(code)) text += ` [${code}]`;
  return clean(text);
}

export function pgError(err: unknown, what: string): SinkError {
  return new SinkError(`postgres: ${what}: ${describePgError(err)}`, postgresErrorKind(err));
}

function clean(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…` : t;
}
