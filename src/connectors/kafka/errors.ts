// kafkajs errors turned into the sink's vocabulary. kafkajs wraps the broker's answer
// (KafkaJSNumberOfRetriesExceeded, KafkaJSNonRetriableError) so the cause chain is searched: the
// protocol error type (`MESSAGE_TOO_LARGE`, …) or the class name decides.
import { SinkError } from '../sink.js';

/** Broker answers that another attempt with the same records cannot change. */
const PERMANENT_TYPES = new Set([
  // the data: the core bisects the batch down to the records Kafka refuses
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'POLICY_VIOLATION',
  // the target or the rights to it
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_COMPRESSION_TYPE',
  // the login
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
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
 * Retriable unless the broker refused the records, the topic or the login for good. Connection
 * losses, timeouts, leader elections, unavailable brokers and anything unknown are retriable: the
 * core retries them under the failure strategy, and a record is never dropped on a guess.
 */
export function classifyKafkaError(err: unknown, what: string): SinkError {
  if (err instanceof SinkError) return err;
  const message = `${what}: ${describeKafkaError(err)}`;
  const type = protocolType(err);
  if ((type !== undefined && PERMANENT_TYPES.has(type)) || hasErrorNamed(err, 'KafkaJSSASLAuthenticationError')) {
    return SinkError.permanent(message);
  }
  return SinkError.retriable(message);
}
