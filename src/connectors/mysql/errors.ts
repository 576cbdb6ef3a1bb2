// What a failed MySQL / MariaDB statement means for the core, by the contract's rule (sink.ts),
// read from the server's error number. Values the server refuses for a row (a NULL, a value out
// of range or too long, an incorrect value for the column type, a duplicate, a foreign key or
// CHECK constraint, a row larger than max_allowed_packet) are permanent: a batch statement
// failing with one is bisected by the core down to the row. A deadlock or lock wait timeout is
// retriable. Everything else — no connection, refused credentials or rights, too many
// connections, a server shutting down, a missing database, table or column, a read-only
// server, errors not listed — is unavailable: no record is at fault and nothing is dropped.
import { SinkError, type SinkErrorKind } from '../sink.js';

const PERMANENT_ERRNOS = new Set([
  1048, // ER_BAD_NULL_ERROR
  1062, // ER_DUP_ENTRY (a unique key other than the one upsert updates on)
  1153, // ER_NET_PACKET_TOO_LARGE
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1265, // WARN_DATA_TRUNCATED
  1292, // ER_TRUNCATED_WRONG_VALUE (e.g. an incorrect datetime)
  1300, // ER_INVALID_CHARACTER_STRING
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (incorrect integer / string value)
  1367, // ER_ILLEGAL_VALUE_FOR_TYPE
  1406, // ER_DATA_TOO_LONG
  1411, // ER_WRONG_VALUE_FOR_TYPE
  1451, // ER_ROW_IS_REFERENCED_2
  1452, // ER_NO_REFERENCED_ROW_2
  1690, // ER_DATA_OUT_OF_RANGE
  3140, // ER_INVALID_JSON_TEXT (MySQL)
  3819, // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
  4025, // ER_CONSTRAINT_FAILED (MariaDB CHECK, JSON columns)
]);
const RETRIABLE_ERRNOS = new Set([
  1205, // ER_LOCK_WAIT_TIMEOUT
  1213, // ER_LOCK_DEADLOCK
  1412, // ER_TABLE_DEF_CHANGED
  1637, // ER_TOO_MANY_CONCURRENT_TRXS
  3572, // ER_LOCK_NOWAIT
]);

const MAX_MESSAGE_CHARS = 400;

interface MysqlErrorFields {
  errno?: unknown;
  code?: unknown;
  sqlState?: unknown;
  sqlMessage?: unknown;
}

/** The server's error number, or undefined for network and client errors (mysql2 gives those no errno, or a negative one). */
export function serverErrno(err: unknown): number | undefined {
  const e = err as MysqlErrorFields | null;
  const errno = e?.errno;
  return typeof errno === 'number' && errno >= 1000 && typeof e?.sqlState === 'string' ? errno : undefined;
}

export function mysqlErrorKind(err: unknown): SinkErrorKind {
  const errno = serverErrno(err);
  if (errno === undefined) return 'unavailable';
  if (RETRIABLE_ERRNOS.has(errno)) return 'retriable';
  return PERMANENT_ERRNOS.has(errno) ? 'permanent' : 'unavailable';
}

/** A one-line reason: the server's message with its errno and SQLSTATE, or the network error. */
export function describeMysqlError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return [...new Set(err.errors.map(describeMysqlError))].join('; ');
  if (!(err instanceof Error)) return clean(String(err));
  const e = err as Error & MysqlErrorFields;
  const errno = serverErrno(err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  let text = (typeof e.sqlMessage === 'string' && e.sqlMessage) || e.message || code || e.name;
  if (errno !== undefined) text += ` [errno ${errno}${code ? ` ${code}` : ''}, SQLSTATE ${String(e.sqlState)}]`;
  else if (code !== undefined && !text.includes(code)) text += ` [${code}]`;
  return clean(text);
}

export function mysqlError(err: unknown, what: string): SinkError {
  return new SinkError(`mysql: ${what}: ${describeMysqlError(err)}`, mysqlErrorKind(err));
}

function clean(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…` : t;
}
