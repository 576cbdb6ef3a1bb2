// What a Pulsar WebSocket failure means, by the contract's rule (sink.ts):
// - unavailable: the producer cannot be opened (connection refused or lost, handshake timeout,
//   401/403 refused credentials, 404 no such namespace or no WebSocket API, 5xx), the socket closed
//   before a message's ack, no ack within send_timeout_secs, and a send error that is about the
//   topic or the broker rather than the message (producer timeout or closed, quota exceeded,
//   topic terminated or fenced, not allowed).
// - retriable: any other send error the broker reports for one message (when in doubt, it may pass
//   if sent again).
// - permanent: the message itself: larger than the broker's maxMessageSize (InvalidMessageException),
//   a frame larger than the broker's WebSocket frame limit (refused before sending), a payload or
//   event time the broker cannot decode.
import { SinkError } from '../sink.js';

const BROKER_WIDE = /TimeoutException|AlreadyClosedException|NotConnectedException|ProducerBlockedQuotaExceeded|TopicTerminated|ProducerFenced|NotAllowed|AuthenticationException|AuthorizationException|ServiceNotReady|LookupException|BrokerMetadataException|ConnectException|ProducerQueueIsFull/;
const MESSAGE = /InvalidMessageException|exceeds \d+ bytes|SchemaSerializationException|could not be parsed|Invalid Base64|PayloadEncodingError/;

/** A producer ack with `result` other than `ok`: the broker's verdict on that message. */
export function sendError(result: string, errorMsg: string | undefined, topic: string): SinkError {
  const msg = (errorMsg ?? '').replace(/^org\.apache\.pulsar\.client\.api\.PulsarClientException\$/, '');
  const text = `pulsar: ${topic}: ${result}${msg ? `: ${msg}` : ''}`;
  if (MESSAGE.test(msg) || result.startsWith('payload-encoding-error')) return SinkError.permanent(text);
  if (BROKER_WIDE.test(msg)) return SinkError.unavailable(text);
  return SinkError.retriable(text);
}

/** Pulsar answers a refused WebSocket upgrade with an HTML page whose title says why. */
export function upgradeError(status: number, body: string, topic: string): SinkError {
  const title = /<title>(?:Error \d+ )?([^<]*)<\/title>/i.exec(body)?.[1] ?? body.slice(0, 300);
  const why = title.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, '\'').replace(/&amp;/g, '&').trim();
  const what = `pulsar: cannot open a producer on ${topic}: HTTP ${status}${why ? ` ${why}` : ''}`;
  if (status === 401) return SinkError.unavailable(`${what}: the broker refused the credentials (check token, oauth or basic_name/basic_password)`);
  if (status === 403) return SinkError.unavailable(`${what}: the role may not produce to this topic (grant it produce permission)`);
  if (status === 404 && /namespace|tenant|topic/i.test(why)) return SinkError.unavailable(`${what}: create the tenant/namespace, or fix topic`);
  if (status === 404) return SinkError.unavailable(`${what}: no WebSocket API here (set webSocketServiceEnabled=true on the broker, or check server / web_service_url)`);
  return SinkError.unavailable(what);
}

/** No HTTP answer at all (refused, DNS, TLS, handshake timeout): the next host of `server` may answer. */
export class Unreachable extends SinkError {
  constructor(message: string) {
    super(message, 'unavailable');
  }
}

export function connectError(err: unknown, url: string): Unreachable {
  return new Unreachable(`pulsar: cannot connect to ${url}: ${err instanceof Error ? err.message : String(err)}`);
}

export function closedBeforeAck(topic: string, code: number, reason: string): SinkError {
  return SinkError.unavailable(`pulsar: the producer connection for ${topic} closed before the broker acked (code ${code}${reason ? `: ${reason}` : ''})`);
}

export function ackTimeout(topic: string, secs: number): SinkError {
  return SinkError.unavailable(`pulsar: no ack from the broker within ${secs} s for a message to ${topic}`);
}

export function frameTooLarge(bytes: number, max: number): SinkError {
  return SinkError.permanent(`pulsar: the message's frame is ${bytes} bytes, more than max_frame_bytes (${max}, the broker's webSocketMaxTextFrameSize): not sent`);
}
