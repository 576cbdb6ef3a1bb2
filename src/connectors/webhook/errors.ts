// What a webhook answer means for the batch, by the contract's rule (see httpStatusKind): 2xx
// written; 5xx, 401/403/404 and redirects unavailable (a redirect is not followed: a redirected
// POST may turn into a GET); 408/429 retriable; any other 4xx permanent, which the core bisects
// down to the record the endpoint rejects. No answer at all (refused, reset, DNS, timeout) is
// unavailable.
import { httpStatusKind, networkReason, parseRetryAfter } from '../http-failure.js';
import { SinkError } from '../sink.js';

/** The SinkError of a non-2xx answer; `snippet` is the start of the body. */
export function statusError(status: number, statusText: string, where: string, snippet: string, headers: Headers): SinkError {
  const base = `webhook: ${where} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}${snippet ? `: ${snippet}` : ''}`;
  const redirect = status >= 300 && status < 400 ? ` (redirect to ${headers.get('location') ?? '?'}; configure the final URL)` : '';
  const refused = status === 401 || status === 403 ? ' (the endpoint refused the credentials: check auth_type and its secret)' : '';
  const kind = httpStatusKind(status);
  const retryAfter = kind === 'permanent' ? undefined : parseRetryAfter(headers.get('retry-after'), Date.now());
  return new SinkError(`${base}${redirect}${refused}`, kind, retryAfter);
}

/** A request that got no answer: the endpoint cannot be reached. */
export function requestError(err: unknown, where: string, timeoutMs: number): SinkError {
  return SinkError.unavailable(`webhook: ${where} failed: ${networkReason(err, timeoutMs)}`);
}
