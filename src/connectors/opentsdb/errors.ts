// What an /api/put?details answer means, by the contract's rule (sink.ts):
// - 2xx: written. OpenTSDB answers 200 with `{"success","failed","errors"}`; VictoriaMetrics'
//   OpenTSDB listener answers 204 without a body and gives no per-point details at all.
// - 400 with a details body (OpenTSDB: some points refused, the others stored): each entry of
//   `errors` echoes its datapoint, matched back to the batch by metric, timestamp and tags; each is
//   permanent (a content problem of that point) or, for OpenTSDB's "please throttle" / storage
//   timeouts, retriable. A details body that cannot be matched to the batch is a permanent
//   error for the whole batch (the core bisects it).
// - 400 naming the path ("unexpected path requested", VictoriaMetrics) or 404: the server is not
//   an OpenTSDB /api/put → unavailable (an operator fixes `server`), never a record's fault.
// - any other status by httpStatusKind; no answer at all → unavailable.
import { httpStatusKind, parseRetryAfter } from '../http-failure.js';
import { SinkError } from '../sink.js';
import { pointKey } from './mapping.js';

const SNIPPET_CHARS = 300;

export interface PutAnswer {
  status: number;
  body: string;
  retryAfter: string | null;
}

/** Failures of the sent points (indexes into what was sent); throws for a whole-batch failure. */
export function putOutcome(where: string, answer: PutAnswer, sent: readonly { metric: string; timestamp: number; tags: Record<string, string> }[], nowMs = Date.now()): { index: number; error: SinkError }[] {
  const details = parseDetails(answer.body);
  if (answer.status >= 200 && answer.status < 300 && (!details || details.errors.length === 0)) return [];
  if ((answer.status === 400 || (answer.status >= 200 && answer.status < 300)) && details && details.errors.length > 0) {
    const matched = matchErrors(details.errors, sent);
    if (matched) return matched.map(({ index, error }) => ({ index, error: pointError(where, error) }));
    throw SinkError.permanent(`opentsdb: ${where} refused ${details.errors.length} point(s) that cannot be matched to the batch: ${snippet(details.errors[0]?.error ?? '')}`);
  }
  const text = snippet(answer.body);
  const base = `opentsdb: ${where} answered HTTP ${answer.status}${text ? `: ${text}` : ''}`;
  if (answer.status === 404 || (answer.status === 400 && /(unexpected|unsupported) path/i.test(answer.body))) {
    return fail(SinkError.unavailable(`${base} (is server an OpenTSDB /api/put endpoint? fix server)`));
  }
  const kind = httpStatusKind(answer.status);
  const err = new SinkError(base, kind, kind === 'permanent' ? undefined : parseRetryAfter(answer.retryAfter, nowMs));
  return fail(err);
}

function fail(err: SinkError): never {
  throw err;
}

/** A write that got no answer: refused, reset, DNS, timeout. */
export function unreachable(where: string, why: string): SinkError {
  return SinkError.unavailable(`opentsdb: ${where} failed: ${why}`);
}

interface DetailsError {
  datapoint?: { metric?: unknown; timestamp?: unknown; tags?: unknown };
  error?: string;
}

function parseDetails(body: string): { errors: DetailsError[] } | undefined {
  if (!body.trimStart().startsWith('{')) return undefined;
  try {
    const j = JSON.parse(body) as { errors?: unknown; failed?: unknown };
    if (!Array.isArray(j.errors)) return undefined;
    return { errors: j.errors.filter((e): e is DetailsError => typeof e === 'object' && e !== null) };
  } catch {
    return undefined;
  }
}

/** Each error's index among the sent points, in order; undefined when one does not match. */
function matchErrors(errors: readonly DetailsError[], sent: readonly { metric: string; timestamp: number; tags: Record<string, string> }[]): { index: number; error: string }[] | undefined {
  const byKey = new Map<string, number[]>();
  sent.forEach((p, i) => {
    const k = pointKey(p);
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  });
  const out: { index: number; error: string }[] = [];
  for (const e of errors) {
    const index = e.datapoint ? byKey.get(pointKey(e.datapoint))?.shift() : undefined;
    if (index === undefined) return undefined;
    out.push({ index, error: e.error ?? 'refused' });
  }
  return out;
}

function pointError(where: string, error: string): SinkError {
  const message = `opentsdb: ${where} refused the point: ${snippet(error)}`;
  return /throttl|timed? ?out|timeout/i.test(error) ? SinkError.retriable(message) : SinkError.permanent(message);
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > SNIPPET_CHARS ? `${t.slice(0, SNIPPET_CHARS)}…` : t;
}
