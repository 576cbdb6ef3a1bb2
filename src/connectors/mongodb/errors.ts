// What a MongoDB failure means for the core, by the contract's rule (sink.ts). A duplicate key on
// `_id` (11000) is no failure at all: the record was stored by an earlier delivery. A per-document
// write error that names the document's content (a duplicate on another unique index, a document
// the collection's validator refuses, a field name or value the server cannot store, too large)
// is permanent for that document. A lost write race is retriable. Everything that says the server
// cannot take writes now — no connection, no primary, refused credentials or rights, a write
// concern that cannot be met, a shutdown, an unknown code — is unavailable: no record is at fault.
import { MongoError, MongoNetworkError, MongoServerSelectionError, type WriteError } from 'mongodb';
import { SinkError, type SinkErrorKind } from '../sink.js';

export const DUPLICATE_KEY = 11000;

/** codes of a per-document write error that are about the document itself */
const PERMANENT_CODES = new Set([
  2, // BadValue (FerretDB: a field name or value it cannot store)
  9, // FailedToParse
  10, // CannotMutateObject
  14, // TypeMismatch
  15, // Overflow (nested too deep)
  22, // InvalidBSON
  52, // DollarPrefixedFieldName
  53, // InvalidIdField
  55, // InvalidDBRef
  56, // EmptyFieldName
  57, // DottedFieldName
  121, // DocumentValidationFailure
  10334, // BSONObjectTooLarge
  17280, // KeyTooLong
  17419, // document too large with its _id
  DUPLICATE_KEY, // on another unique index than `_id` (see duplicateKeyOn)
]);

/** codes that may pass when the same write is sent again, without saying the server is down */
const RETRIABLE_CODES = new Set([
  24, // LockTimeout
  46, // LockBusy
  112, // WriteConflict
  251, // NoSuchTransaction
]);

/**
 * Which key a duplicate-key error (11000) is on: `_id` (the document is already stored, by an
 * earlier delivery of this record), another unique index (the document is refused), or
 * `unknown` when the server names neither (FerretDB says only `E11000 duplicate key error
 * collection: db.coll`): the sink then looks the `_id` up.
 */
export function duplicateKeyOn(e: WriteError): '_id' | 'other' | 'unknown' | undefined {
  if (e.code !== DUPLICATE_KEY) return undefined;
  const raw = e.err as unknown as { keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown> };
  const keys = raw.keyPattern ?? raw.keyValue;
  if (keys && typeof keys === 'object') return Object.keys(keys).length === 1 && '_id' in keys ? '_id' : 'other';
  const index = /\bindex: (\S+)/.exec(e.errmsg ?? '')?.[1];
  if (index !== undefined) return index === '_id_' ? '_id' : 'other';
  return 'unknown';
}

export function writeErrorKind(e: WriteError): SinkErrorKind {
  if (RETRIABLE_CODES.has(e.code)) return 'retriable';
  if (PERMANENT_CODES.has(e.code)) return 'permanent';
  return 'unavailable';
}

/** The code of a server error, when there is one. */
function serverCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A failure of the whole insert (no per-document errors): about the server, never a record. */
export function batchErrorKind(err: unknown): SinkErrorKind {
  if (err instanceof MongoNetworkError || err instanceof MongoServerSelectionError) return 'unavailable';
  const code = serverCode(err);
  if (code !== undefined && RETRIABLE_CODES.has(code)) return 'retriable';
  return 'unavailable';
}

const MAX_MESSAGE_CHARS = 400;

export function describeMongoError(err: unknown): string {
  let text: string;
  if (err instanceof AggregateError && err.errors.length > 0) text = [...new Set(err.errors.map(describeMongoError))].join('; ');
  else if (err instanceof Error) {
    text = err.message || err.name;
    const code = serverCode(err);
    const codeName = (err as { codeName?: unknown }).codeName;
    if (code !== undefined && !text.includes(String(code))) text += ` [${typeof codeName === 'string' ? `${codeName} ` : ''}${code}]`;
  } else text = String(err);
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…` : t;
}

/** A hint for the errors an operator fixes. */
export function hintFor(err: unknown): string {
  const code = serverCode(err);
  if (code === 18 || (err instanceof Error && /authentication failed/i.test(err.message))) return '; check username, password and auth_source';
  if (code === 13) return '; the user may not insert into this collection (grant readWrite on the database)';
  if (err instanceof MongoServerSelectionError) return '; no server to write to (is it running, and is the primary reachable?)';
  return '';
}

export function writeErrorMessage(e: WriteError, where: string): string {
  const t = `${e.errmsg ?? 'write error'} [${e.code}]`.replace(/\s+/g, ' ').trim();
  return `mongodb: ${where} refused the document: ${t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…` : t}`;
}

export function batchError(err: unknown, where: string): SinkError {
  return new SinkError(`mongodb: inserting into ${where} failed: ${describeMongoError(err)}${hintFor(err)}`, batchErrorKind(err));
}

export const isMongoError = (err: unknown): err is MongoError => err instanceof MongoError;
