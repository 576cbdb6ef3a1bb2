// What a Cassandra failure means for the core, by the contract's rule (sink.ts). No host that
// answers (NoHostAvailable: refused, reset, all nodes down), refused credentials or permissions
// (bad credentials, Unauthorized), too few live replicas for the consistency level (Unavailable),
// a statement with no answer within timeout_secs (a client-side time-out: nothing is known of the
// node) and any error not listed here are unavailable. A coordinator's write time-out, an
// overloaded or bootstrapping node and a replica's write failure are about that write: retriable
// (the INSERT is idempotent, keyed by the record id). A statement the server refuses as invalid
// (a value too large, a guardrail, an unconfigured table or column, a type mismatch) and a value
// the driver cannot encode for its column are permanent.
import cassandra from 'cassandra-driver';
import { SinkError, type SinkErrorKind } from '../sink.js';

const codes = cassandra.types.responseErrorCodes;
const MAX_MESSAGE_CHARS = 400;

const RETRIABLE_CODES = new Set<number>([codes.writeTimeout, codes.overloaded, codes.isBootstrapping, codes.writeFailure, codes.readTimeout, codes.readFailure]);
const PERMANENT_CODES = new Set<number>([codes.invalid, codes.syntaxError, codes.configError, codes.functionFailure, codes.alreadyExists]);
const CREDENTIAL_CODES = new Set<number>([codes.badCredentials, codes.unauthorized]);

/** The server's error code, when the error is a server response. */
export function responseCode(err: unknown): number | undefined {
  return err instanceof cassandra.errors.ResponseError && typeof err.code === 'number' ? err.code : undefined;
}

export function cassandraErrorKind(err: unknown): SinkErrorKind {
  const code = responseCode(err);
  if (code !== undefined) {
    if (RETRIABLE_CODES.has(code)) return 'retriable';
    if (PERMANENT_CODES.has(code)) return 'permanent';
    return 'unavailable';
  }
  // the driver could not serialize this record's value for its column: the record is at fault
  if (err instanceof TypeError || err instanceof cassandra.errors.ArgumentError) return 'permanent';
  return 'unavailable';
}

/** True when no node took our credentials (every node tried refused them). */
export function isCredentialRefusal(err: unknown): boolean {
  if (err instanceof cassandra.errors.AuthenticationError) return true;
  const code = responseCode(err);
  if (code !== undefined) return CREDENTIAL_CODES.has(code);
  if (err instanceof cassandra.errors.NoHostAvailableError) {
    const inner = innerErrors(err);
    return inner.length > 0 && inner.every(isCredentialRefusal);
  }
  return false;
}

function innerErrors(err: InstanceType<typeof cassandra.errors.NoHostAvailableError>): unknown[] {
  const inner: unknown = err.innerErrors;
  return inner !== null && typeof inner === 'object' ? Object.values(inner as Record<string, unknown>) : [];
}

/** A one-line reason: the server's message with its code name, or each node's reason for NoHostAvailable. */
export function describeCassandraError(err: unknown): string {
  if (err instanceof cassandra.errors.NoHostAvailableError) {
    const inner = innerErrors(err);
    if (inner.length > 0) {
      const reasons = Object.entries(err.innerErrors as Record<string, unknown>).map(([host, e]) => `${host}: ${describeCassandraError(e)}`);
      return clean(`no host available (${[...new Set(reasons)].join('; ')})`);
    }
    return clean(err.message || 'no host available');
  }
  if (!(err instanceof Error)) return clean(String(err));
  const code = responseCode(err);
  const name = code === undefined ? undefined : Object.entries(codes).find(([, v]) => v === code)?.[0];
  let text = err.message || err.name;
  // a driver message may carry a stack after its first line (e.g. an inner AuthenticationError)
  text = text.split('\n')[0] as string;
  if (name !== undefined) text += ` [${name}]`;
  return clean(text);
}

/** A hint for the errors an operator fixes. */
export function hintFor(err: unknown): string {
  if (isCredentialRefusal(err)) return '; check username and password (and the role\'s permissions on the table)';
  if (/unconfigured table|does not exist|keyspace .* does not exist/i.test(describeCassandraError(err))) return '; create the keyspace and table (see the default table in the docs) or set create_table: true';
  return '';
}

export function cassandraError(err: unknown, what: string): SinkError {
  return new SinkError(`cassandra: ${what}: ${describeCassandraError(err)}${hintFor(err)}`, cassandraErrorKind(err));
}

function clean(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…` : t;
}
