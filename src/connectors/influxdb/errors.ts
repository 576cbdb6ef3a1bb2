// What an InfluxDB answer means for the batch, by the contract's rule (see httpStatusKind): 400
// (unparsable point, field type conflict: InfluxDB answers "partial write: …" and stores the other
// points), 413 and other content 4xx are permanent, so the core bisects the batch down to the
// record the server refuses; 401/403 (credentials, privileges), 404 (database, bucket or org
// missing), 5xx and no answer at all are unavailable; 408/429 retriable, with the server's
// Retry-After.
import { httpStatusKind, parseRetryAfter } from '../http-failure.js';
import { SinkError } from '../sink.js';

const SNIPPET_CHARS = 300;

export interface HttpFailure {
  status: number;
  /** the server's error text (JSON `error`/`message`, or the body) */
  detail: string;
  retryAfter?: string | null;
}

/** `label` names the sink in the message (the greptime sink shares this writer). */
export function failureToSinkError(where: string, f: HttpFailure, target: string, nowMs = Date.now(), label = 'influxdb'): SinkError {
  const detail = snippet(f.detail);
  const base = `${label}: ${where} answered HTTP ${f.status}${detail ? `: ${detail}` : ''}`;
  const hint = f.status === 401 || f.status === 403 ? ` (the server refused the credentials: check ${target})` : f.status === 404 ? ' (create it, or fix the config)' : '';
  const kind = httpStatusKind(f.status);
  return new SinkError(`${base}${hint}`, kind, kind === 'permanent' ? undefined : parseRetryAfter(f.retryAfter ?? null, nowMs));
}

/** A write that got no answer: the server cannot be reached (refused, reset, DNS, timeout). */
export function unreachable(where: string, why: string, label = 'influxdb'): SinkError {
  return SinkError.unavailable(`${label}: ${where} failed: ${why}`);
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

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > SNIPPET_CHARS ? `${t.slice(0, SNIPPET_CHARS)}…` : t;
}
