// Shared by the HTTP sinks (webhook, influxdb): what an HTTP status means under the contract's
// rule (sink.ts), Retry-After, and why a request got no answer.
import type { SinkErrorKind } from './sink.js';

/**
 * The kind of a non-2xx answer. The target as a whole cannot take anything: 5xx, refused
 * credentials or rights (401, 403, 407), a URL that names nothing (404, 405, 410, 421) or a
 * redirect (an operator fixes the config) → unavailable. One request throttled or timed out
 * (408, 425, 429) → retriable. Any other 4xx is about what the request carried (400, 409, 413,
 * 415, 422, …) → permanent, which the core bisects down to the record the server refuses.
 */
export function httpStatusKind(status: number): SinkErrorKind {
  if (status === 408 || status === 425 || status === 429) return 'retriable';
  if (status >= 500 || (status >= 300 && status < 400) || UNAVAILABLE_4XX.has(status)) return 'unavailable';
  return 'permanent';
}

const UNAVAILABLE_4XX = new Set([401, 403, 404, 405, 407, 410, 421]);

/** `Retry-After` as ms from `nowMs`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at) || !/[a-z]/i.test(v)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Why a request never got an answer: a timeout, or the (often nested) network error. */
export function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'RequestTimedOutError')) return `timed out after ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined;
  return cause instanceof Error ? reason(cause) : reason(err);
}

/** An error's message; for the AggregateError of a multi-address connect (often message-less), its parts. */
function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map((e: unknown) => reason(e)))].join('; ');
  }
  if (err instanceof Error) return err.message || ((err as Error & { code?: unknown }).code as string | undefined) || err.name;
  return String(err);
}
