// What an InfluxDB answer means for the batch. 400 (unparsable point, field type conflict: InfluxDB
// answers "partial write: …" and stores the other points), 413 and other 4xx are permanent, so the
// core bisects the batch down to the record the server refuses; 401/403 are permanent with a
// message about the credentials; 404 (database, bucket or org missing) is retriable, since no
// record is at fault and creating the target fixes it; 408, 429, 5xx and network errors are
// retriable, with the server's Retry-After.
import { SinkError } from '../sink.js';

const SNIPPET_CHARS = 300;

export interface HttpFailure {
  status: number;
  /** the server's error text (JSON `error`/`message`, or the body) */
  detail: string;
  retryAfter?: string | null;
}

export function failureToSinkError(where: string, f: HttpFailure, target: string, nowMs = Date.now()): SinkError {
  const detail = snippet(f.detail);
  const base = `influxdb: ${where} answered HTTP ${f.status}${detail ? `: ${detail}` : ''}`;
  if (f.status === 401 || f.status === 403) {
    return SinkError.permanent(`${base} (the server refused the credentials: check ${target})`);
  }
  if (f.status === 404) return SinkError.retriable(`${base} (create it, or fix the config)`);
  if (f.status === 408 || f.status === 429 || f.status >= 500) {
    return SinkError.retriable(base, parseRetryAfter(f.retryAfter ?? null, nowMs));
  }
  return SinkError.permanent(base);
}

/** The error text of an InfluxDB answer: `{"error": …}` (v1), `{"message": …}` (v2) or the body itself. */
export function errorDetail(body: string, header?: string | null): string {
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as { error?: unknown; message?: unknown };
      if (typeof j.error === 'string') return j.error;
      if (typeof j.message === 'string') return j.message;
    } catch {
      // not JSON after all: show the text
    }
  }
  return text || (header ?? '');
}

/** `Retry-After` as ms from `nowMs`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at) || !/[a-z]/i.test(v)) return undefined;
  return Math.max(0, at - nowMs);
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > SNIPPET_CHARS ? `${t.slice(0, SNIPPET_CHARS)}…` : t;
}

/** Why a request never got an answer. */
export function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'RequestTimedOutError')) return `timed out after ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined;
  return cause instanceof Error ? reason(cause) : reason(err);
}

function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map((e: unknown) => reason(e)))].join('; ');
  }
  if (err instanceof Error) return err.message || ((err as Error & { code?: unknown }).code as string | undefined) || err.name;
  return String(err);
}
