// What a NATS / JetStream failure means, by the contract's rule (sink.ts):
// - unavailable: no connection or it closed (refused, lost, draining), an ack that did not come
//   within timeout_ms, "503 no responders" (no stream captures the subject: an operator adds
//   one), refused credentials or permissions, JetStream not enabled, a stream that is full or
//   out of resources, a publish that landed in another stream than `stream`, any JetStream
//   error not listed below (when in doubt: unavailable loses nothing).
// - permanent: the message itself: larger than the server's max_payload (the client refuses it
//   before sending) or the stream's max_msg_size (JetStream 10054), a subject or header the
//   client cannot send.
import { ErrorCode, NatsError } from 'nats';
import { SinkError } from '../sink.js';

const MESSAGE_TOO_LARGE = 10054;

export function publishError(err: unknown, subject: string, timeoutMs: number): SinkError {
  if (!(err instanceof NatsError)) return SinkError.unavailable(`nats: publish to ${subject} failed: ${err instanceof Error ? err.message : String(err)}`);
  const api = err.api_error;
  const what = `nats: publish to ${subject}`;
  if (api) {
    const text = `${what}: JetStream ${api.code}${api.err_code ? ` (${api.err_code})` : ''}: ${api.description}`;
    return api.err_code === MESSAGE_TOO_LARGE ? SinkError.permanent(text) : SinkError.unavailable(text);
  }
  switch (err.code) {
    case ErrorCode.MaxPayloadExceeded:
      return SinkError.permanent(`${what}: the message is larger than the server's max_payload (${err.message})`);
    case ErrorCode.BadSubject:
    case ErrorCode.BadHeader:
    case ErrorCode.BadPayload:
      return SinkError.permanent(`${what}: ${err.message}`);
    case ErrorCode.NoResponders:
      return SinkError.unavailable(`${what}: no JetStream stream captures this subject (503 no responders): add the subject to a stream, or fix subject`);
    case ErrorCode.Timeout:
      return SinkError.unavailable(`${what}: no JetStream ack within ${timeoutMs} ms`);
    default:
      return SinkError.unavailable(`${what}: ${err.message} (${err.code})`);
  }
}

/** A connect failure: unavailable, with the reason NATS gave (credentials are never in it). */
export function connectError(err: unknown, servers: string): SinkError {
  if (err instanceof NatsError && err.isAuthError()) return SinkError.unavailable(`nats: ${servers} refused the credentials (${err.message}): check username/password or token`);
  const why = err instanceof Error ? err.message : String(err);
  return SinkError.unavailable(`nats: cannot connect to ${servers}: ${why}`);
}
