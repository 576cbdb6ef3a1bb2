// Shared by the HTTP sinks (webhook, influxdb): Retry-After and why a request got no answer.

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
