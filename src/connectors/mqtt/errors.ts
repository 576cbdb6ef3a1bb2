// How the bridge's failures are classified (the contract's rule, sink.ts) and worded. A publish
// the target refuses (MQTT 5 reason code ≥ 0x80): permanent when the refusal is about the message
// (topic name invalid, packet too large, payload format invalid), retriable when a later attempt
// may pass (packet id in use, quota exceeded), unavailable otherwise (not authorized — an operator
// fixes the ACL —, unspecified or implementation-specific errors). No connection, or a connection
// lost before the ack: unavailable. A connection failure reads as unreachable, TLS, or the
// broker's CONNACK refusal with a hint.
import { ErrorWithReasonCode, ReasonCodes } from 'mqtt';
import { SinkError, type SinkErrorKind } from '../sink.js';
import type { Target } from './client-options.js';

/** PUBACK codes ≥ 0x80 about the message itself: topic name invalid, packet too large, payload format invalid */
const PERMANENT_PUBACK = new Set([0x90, 0x95, 0x99]);
/** PUBACK codes ≥ 0x80 that a later attempt may pass: packet id in use, quota exceeded */
const RETRIABLE_PUBACK = new Set([0x91, 0x97]);

/** The kind of a publish refused with `code` (undefined: no reason code, the connection failed). */
export function pubackKind(code: number | undefined): SinkErrorKind {
  if (code === undefined || code < 0x80) return 'unavailable';
  if (PERMANENT_PUBACK.has(code)) return 'permanent';
  return RETRIABLE_PUBACK.has(code) ? 'retriable' : 'unavailable';
}

export function reasonText(code: number): string {
  const name = (ReasonCodes as Record<number, string | undefined>)[code];
  return `${name || 'unknown reason'} (reason code 0x${code.toString(16).padStart(2, '0')})`;
}

export function publishError(err: Error, topic: string, label: string): SinkError {
  const code = err instanceof ErrorWithReasonCode ? err.code : undefined;
  if (code === undefined || code < 0x80) return SinkError.unavailable(`publish to ${label} failed: ${err.message}`);
  const hint = code === 0x87 ? '; check username, password and the broker ACL' : '';
  return new SinkError(`${label} refused the publish to "${topic}": ${reasonText(code)}${hint}`, pubackKind(code));
}

/** The target cannot take a publish now: not connected, or the connection went before the ack. */
export function notConnected(message: string): SinkError {
  return SinkError.unavailable(message);
}

const CONNACK_HINTS: Record<number, string> = {
  1: 'the broker does not speak this protocol_version',
  2: 'the client id was rejected; change client_id_prefix',
  4: 'check username and password',
  5: 'check username, password and the broker ACL',
  0x84: 'the broker does not speak this protocol_version',
  0x85: 'the client id was rejected; change client_id_prefix',
  0x86: 'check username and password',
  0x87: 'check username, password and the broker ACL',
};

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/** A connection failure as the operator should read it: unreachable, TLS, or the broker's CONNACK refusal. */
export function connectErrorMessage(err: Error, target: Target, timeoutSecs: number): string {
  if (err instanceof ErrorWithReasonCode && err.code > 0) {
    const hint = CONNACK_HINTS[err.code];
    const name = (ReasonCodes as Record<number, string | undefined>)[err.code] || 'unknown reason';
    return `${target.label} refused the connection: ${name} (CONNACK code ${err.code})${hint ? `; ${hint}` : ''}`;
  }
  const code = (err as Error & { code?: unknown }).code;
  if (err.message === 'connack timeout') return `cannot reach ${target.label}: no answer to CONNECT within ${timeoutSecs} s`;
  if (typeof code === 'string' && /^(ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_SSL)/.test(code)) return `TLS with ${target.label} failed: ${err.message}`;
  if (typeof code === 'string' && code.startsWith('E')) return `cannot reach ${target.label}: ${code}${NETWORK_CODES[code] ? ` (${NETWORK_CODES[code]})` : ''}`;
  return `connection to ${target.label} failed: ${err.message || code || err.name}`;
}
