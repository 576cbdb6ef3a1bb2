// What a _bulk answer means, by the contract's rule (sink.ts):
// - no answer (refused, reset, DNS, timeout) → unavailable, the whole batch.
// - a non-2xx answer to the request as a whole, by httpStatusKind: 401/403 (credentials, rights),
//   5xx, 404 (no Elasticsearch at that path), redirects → unavailable; 429 → retriable (with
//   Retry-After); 413 and any other 4xx → permanent (the core bisects down to the record).
// - 200 with `errors: true`: each item's own error is that record's outcome:
//   429 / es_rejected_execution_exception (a full write queue) → retriable; the index is blocked
//   (cluster_block_exception: read-only, disk flood stage), missing with auto-creation off
//   (index_not_found_exception), security refusals (401/403) or a shard not available (5xx)
//   → unavailable; mapper_parsing_exception, document_parsing_exception,
//   strict_dynamic_mapping_exception, illegal_argument_exception, invalid_index_name_exception
//   and any other 4xx → permanent (the document itself is refused: RobustMQ's sink drops these
//   silently, here they go to the failure strategy).
// - 200 whose body is not a bulk answer for this batch (unreadable, other item count, other ids)
//   → unavailable for every record: nothing is known to be written, and a repeat is harmless.
import { httpStatusKind, parseRetryAfter } from '../http-failure.js';
import { SinkError, type SinkErrorKind } from '../sink.js';

const SNIPPET_CHARS = 300;

export interface HttpAnswer {
  status: number;
  body: string;
  retryAfter: string | null;
}

interface ItemError {
  type?: string;
  reason?: string;
  caused_by?: { type?: string; reason?: string };
}

interface BulkItemAnswer {
  _id?: string;
  status?: number;
  error?: ItemError | string;
}

const UNAVAILABLE_TYPES = new Set(['cluster_block_exception', 'index_not_found_exception', 'security_exception', 'unavailable_shards_exception', 'no_shard_available_action_exception', 'node_not_connected_exception', 'node_closed_exception']);
const RETRIABLE_TYPES = new Set(['es_rejected_execution_exception', 'opensearch_rejected_execution_exception', 'circuit_breaking_exception', 'process_cluster_event_timeout_exception']);

/** The kind of one refused bulk item. */
export function itemKind(status: number, type: string | undefined): SinkErrorKind {
  if (type !== undefined && UNAVAILABLE_TYPES.has(type)) return 'unavailable';
  if (type !== undefined && RETRIABLE_TYPES.has(type)) return 'retriable';
  if (status === 429) return 'retriable';
  if (status === 401 || status === 403 || status >= 500) return 'unavailable';
  return 'permanent';
}

/**
 * The failures of the sent items (indexes into `ids`, the `_id` of each item in order); throws a
 * SinkError for an answer about the request as a whole.
 */
export function bulkOutcome(where: string, answer: HttpAnswer, ids: readonly string[], nowMs = Date.now()): { index: number; error: SinkError }[] {
  if (answer.status < 200 || answer.status >= 300) throw requestError(where, answer, nowMs);
  let parsed: { errors?: unknown; items?: unknown };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    throw SinkError.unavailable(`elasticsearch: ${where} answered HTTP ${answer.status} with a body that is not JSON: ${snippet(answer.body)}`);
  }
  if (parsed.errors === false) return [];
  const items = Array.isArray(parsed.items) ? (parsed.items as unknown[]) : undefined;
  if (items === undefined || items.length !== ids.length) {
    throw SinkError.unavailable(`elasticsearch: ${where} answered ${items === undefined ? 'without items' : `${items.length} items for ${ids.length} documents`}: not known which were written`);
  }
  const failed: { index: number; error: SinkError }[] = [];
  items.forEach((raw, index) => {
    const item = actionOf(raw);
    if (item?._id !== undefined && item._id !== ids[index]) {
      throw SinkError.unavailable(`elasticsearch: ${where} answered item ${index} for _id ${JSON.stringify(item._id)}, sent ${JSON.stringify(ids[index])}: not known which were written`);
    }
    const status = item?.status ?? 0;
    if (item !== undefined && item.error === undefined && status >= 200 && status < 300) return;
    const err = typeof item?.error === 'object' ? item.error : { reason: typeof item?.error === 'string' ? item.error : `status ${status}` };
    const kind = itemKind(status, err.type);
    const cause = err.caused_by?.reason ? ` (${err.caused_by.type ?? 'cause'}: ${snippet(err.caused_by.reason)})` : '';
    failed.push({ index, error: new SinkError(`elasticsearch: ${where} refused document ${JSON.stringify(ids[index])}: ${status} ${err.type ?? 'error'}: ${snippet(err.reason ?? '')}${cause}`, kind) });
  });
  return failed;
}

/** The one action of a bulk item (`{"index": {...}}`). */
function actionOf(raw: unknown): BulkItemAnswer | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const action = Object.values(raw as Record<string, unknown>)[0];
  return typeof action === 'object' && action !== null ? (action as BulkItemAnswer) : undefined;
}

/** A non-2xx answer to a whole request (bulk or probe). */
export function requestError(where: string, answer: HttpAnswer, nowMs = Date.now()): SinkError {
  const kind = httpStatusKind(answer.status);
  const hint = answer.status === 401 ? ' (check auth_type and the credentials)' : answer.status === 403 ? ' (the credentials lack the right to write this index)' : answer.status === 404 ? ' (is url an Elasticsearch or OpenSearch endpoint?)' : '';
  const text = snippet(errorReason(answer.body) ?? answer.body);
  return new SinkError(`elasticsearch: ${where} answered HTTP ${answer.status}${text ? `: ${text}` : ''}${hint}`, kind, kind === 'permanent' ? undefined : parseRetryAfter(answer.retryAfter, nowMs));
}

/** A request that got no answer: refused, reset, DNS, timeout. */
export function unreachable(where: string, why: string): SinkError {
  return SinkError.unavailable(`elasticsearch: ${where} failed: ${why}`);
}

/** Elasticsearch's `{"error":{"type","reason"}}` as one line. */
function errorReason(body: string): string | undefined {
  try {
    const e = (JSON.parse(body) as { error?: ItemError | string }).error;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && e.type !== undefined) return `${e.type}: ${e.reason ?? ''}`;
  } catch {
    // not JSON: the body as it is
  }
  return undefined;
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > SNIPPET_CHARS ? `${t.slice(0, SNIPPET_CHARS)}…` : t;
}
