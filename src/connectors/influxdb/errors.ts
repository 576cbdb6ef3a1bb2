// What an InfluxDB answer means for the batch. 400 (unparsable point, field type conflict: InfluxDB
// answers "partial write: …" and stores the other points), 413 and other 4xx are permanent, so the
// core bisects the batch down to the record the server refuses; 401/403 are permanent with a
// message about the credentials; 404 (database, bucket or org missing) is retriable, since no
// record is at fault and creating the target fixes it; 408, 429, 5xx and network errors are
// retriable, with the server's Retry-After.
import { parseRetryAfter } from '../http-failure.js';
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

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > SNIPPET_CHARS ? `${t.slice(0, SNIPPET_CHARS)}…` : t;
}
