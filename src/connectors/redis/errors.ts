// What a Redis failure means for the core, by the contract's rule (sink.ts). A server reply error
// names its class in its first word. About the server as a whole — not ready, busy, out of
// memory, read-only, cluster down, refused credentials or ACL rights — is unavailable, as is a
// command the template gets wrong for every record (unknown command, wrong number of arguments:
// an operator fixes the template). TRYAGAIN (a key's slot is moving in a resharding) is
// retriable. Any other reply error (WRONGTYPE, a value that is not an integer, a bad stream id,
// CROSSSLOT, …) is about that record's values: permanent. A failure without a reply — refused,
// reset or closed connection, timeout — is unavailable.
import { SinkError, type SinkErrorKind } from '../sink.js';

const UNAVAILABLE_CLASSES = new Set([
  'NOAUTH', 'WRONGPASS', 'NOPERM', // credentials and ACL rights
  'LOADING', 'BUSY', 'MASTERDOWN', 'CLUSTERDOWN', 'READONLY', 'OOM', 'MISCONF', 'NOREPLICAS', 'NOSCRIPT',
  'MOVED', 'ASK', // redirections the cluster client did not follow
]);

const RETRIABLE_CLASSES = new Set(['TRYAGAIN']);

/** The template, not the record: every record would fail the same way. */
const TEMPLATE_ERRORS = /^ERR (unknown command|unknown subcommand|wrong number of arguments)/i;

const MAX_MESSAGE_CHARS = 300;

/** A reply error of the server (as opposed to a client or network failure). */
export function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

/** A reply error refusing the credentials or the rights. */
export function isAuthError(err: unknown): boolean {
  return isReplyError(err) && /^(NOAUTH|WRONGPASS|NOPERM)/.test(err.message);
}

export function redisErrorKind(err: unknown): SinkErrorKind {
  if (!isReplyError(err)) return 'unavailable';
  const cls = /^[A-Z]+/.exec(err.message)?.[0] ?? '';
  if (UNAVAILABLE_CLASSES.has(cls) || TEMPLATE_ERRORS.test(err.message)) return 'unavailable';
  if (RETRIABLE_CLASSES.has(cls)) return 'retriable';
  return 'permanent';
}

export function describeRedisError(err: unknown): string {
  let text: string;
  if (err instanceof AggregateError && err.errors.length > 0) text = [...new Set(err.errors.map(describeRedisError))].join('; ');
  else if (err instanceof Error) {
    text = err.message || ((err as Error & { code?: unknown }).code as string | undefined) || err.name;
    // the cluster client's "None of startup nodes is available" keeps the reason aside
    const node = (err as Error & { lastNodeError?: unknown }).lastNodeError;
    if (node !== undefined && node !== err) text += ` (${describeRedisError(node)})`;
  }
  else text = String(err);
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…` : t;
}

/** One command's failure as a SinkError of its kind. */
export function commandError(err: unknown, command: string, where: string): SinkError {
  const kind = redisErrorKind(err);
  const hint = isAuthError(err) ? '; check username, password and the ACL' : '';
  return new SinkError(`redis: ${command} on ${where} failed: ${describeRedisError(err)}${hint}`, kind);
}
