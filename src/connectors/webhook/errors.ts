// What a webhook answer means for the batch: 2xx written; 408, 429 and 5xx retriable (with the
// endpoint's Retry-After); a redirect permanent with a hint; any other status permanent, which the
// core bisects down to the record the endpoint rejects. Network failures are retriable (sink.ts).
import { parseRetryAfter } from '../http-failure.js';
import { SinkError } from '../sink.js';

/** The SinkError of a non-2xx answer; `snippet` is the start of the body. */
export function statusError(status: number, statusText: string, where: string, snippet: string, headers: Headers): SinkError {
  const message = `webhook: ${where} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}${snippet ? `: ${snippet}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) {
    return SinkError.retriable(message, parseRetryAfter(headers.get('retry-after'), Date.now()));
  }
  if (status >= 300 && status < 400) {
    return SinkError.permanent(`${message} (redirect to ${headers.get('location') ?? '?'}; configure the final URL)`);
  }
  return SinkError.permanent(message);
}
