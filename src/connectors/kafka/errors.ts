// kafkajs errors turned into the sink's vocabulary. kafkajs wraps the broker's answer
// (KafkaJSNumberOfRetriesExceeded, KafkaJSNonRetriableError) so the cause chain is searched: the
// protocol error type (`MESSAGE_TOO_LARGE`, …) decides.
import { SinkError, type SinkErrorKind } from '../sink.js';

/** Broker answers about the records themselves: the core bisects the batch down to the records Kafka refuses. */
const PERMANENT_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'CORRUPT_MESSAGE',
]);

/** One request refused for a moment, that the same records may pass later: too few in-sync replicas, sequence hiccups. */
const RETRIABLE_TYPES = new Set([
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'CONCURRENT_TRANSACTIONS',
]);

export const AUTH_TYPES = new Set(['SASL_AUTHENTICATION_FAILED', 'UNSUPPORTED_SASL_MECHANISM', 'ILLEGAL_SASL_STATE']);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  cause?: unknown;
}

/** The error and its causes, outermost first (a few levels at most). */
export function causeChain(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let e: unknown = err;
  while (typeof e === 'object' && e !== null && chain.length < 8 && !chain.includes(e as ErrorLike)) {
    chain.push(e as ErrorLike);
    e = (e as ErrorLike).cause;
  }
  return chain;
}

/** The Kafka protocol error type anywhere in the chain (innermost wins), e.g. `MESSAGE_TOO_LARGE`. */
export function protocolType(err: unknown): string | undefined {
  const types = causeChain(err).map((e) => e.type).filter((t): t is string => typeof t === 'string');
  return types[types.length - 1];
}

export function hasErrorNamed(err: unknown, name: string): boolean {
  return causeChain(err).some((e) => e.name === name);
}

export function isAuthError(err: unknown): boolean {
  const type = protocolType(err);
  return hasErrorNamed(err, 'KafkaJSSASLAuthenticationError') || (type !== undefined && AUTH_TYPES.has(type));
}

/** A one-line reason: the innermost message, prefixed with the protocol type when there is one. */
export function describeKafkaError(err: unknown): string {
  const chain = causeChain(err);
  const messages = chain.map((e) => e.message).filter((m): m is string => typeof m === 'string' && m !== '');
  const message = messages[messages.length - 1] ?? String(err);
  const type = protocolType(err);
  return type && !message.includes(type) ? `${type}: ${message}` : message;
}

/**
 * The contract's rule (sink.ts) for Kafka: permanent only when the broker refused the records;
 * retriable for a request the cluster is momentarily short-handed for; everything else — connection
 * refused or lost, timeouts, broker or leader not available, refused login (SASL) or rights
 * (TOPIC_/CLUSTER_AUTHORIZATION_FAILED), an invalid topic or setting, anything unknown — is
 * unavailable: the connector waits, and a record is never dropped on a guess.
 */
export function kafkaErrorKind(err: unknown): SinkErrorKind {
  if (err instanceof SinkError) return err.kind;
  const type = protocolType(err);
  if (type !== undefined && PERMANENT_TYPES.has(type)) return 'permanent';
  if (type !== undefined && RETRIABLE_TYPES.has(type)) return 'retriable';
  return 'unavailable';
}

export function classifyKafkaError(err: unknown, what: string): SinkError {
  if (err instanceof SinkError) return err;
  return new SinkError(`${what}: ${describeKafkaError(err)}`, kafkaErrorKind(err));
}
