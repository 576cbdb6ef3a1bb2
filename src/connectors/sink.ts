// The contract between the core and a sink. Delivery is at-least-once: the core commits a
// record's journal offset only after `sendBatch` reported it written (or the failure strategy
// discarded or dead-lettered it). A sink never sleeps, retries, drops or dead-letters on its
// own: it writes once and reports per-record outcomes with typed errors.

export interface SinkRecordProperties {
  contentType?: string;
  payloadFormatIndicator?: boolean;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Record<string, string | string[]>;
  messageExpiryInterval?: number;
}

export interface SinkRecord {
  /**
   * The record's stable id: never repeats for this connector, also across delete and re-create
   * (it carries a random epoch drawn when the connector's journal was created) and kept by a
   * replayed dead letter. Endpoints deduplicate redeliveries on it.
   */
  id: string;
  /** position in this connector's journal, strictly increasing (a replayed dead letter keeps its original one) */
  offset: number;
  /** the concrete MQTT topic the message was published on */
  topic: string;
  /** raw bytes, never re-encoded */
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** ms since epoch, when Sluice received it */
  timestamp: number;
  properties?: SinkRecordProperties;
}

/**
 * How the core treats a failure. The rule every sink follows:
 *
 * - `unavailable` — the target cannot take anything right now, whatever the record: connection
 *   refused or reset, DNS failure, timeout, HTTP 5xx/503, broker or leader not available, and
 *   authentication or authorization refused (an operator fixes the secret or the ACL). No
 *   record's retry budget is charged: the connector waits (state `waiting`), backs off with a
 *   cap, keeps journaling, and resumes in order once the target answers. Never bisected.
 * - `retriable` — this record (or this write) failed in a way that may pass if sent again and
 *   that says nothing about the target as a whole: throttling of one request (HTTP 429/408), a
 *   per-record transient refusal. Charged to the record's `retry_total_times`.
 * - `permanent` — a content problem of the record itself: schema or type mismatch, too large,
 *   rejected by the target for that record. The only kind that is bisected when a whole batch
 *   fails with it, and then handed to the failure strategy without retries.
 *
 * When in doubt between `unavailable` and `permanent`, choose `unavailable`: it loses nothing.
 */
export type SinkErrorKind = 'unavailable' | 'retriable' | 'permanent';

export class SinkError extends Error {
  constructor(
    message: string,
    readonly kind: SinkErrorKind,
    /** ms the target asked us to wait before retrying (e.g. HTTP Retry-After) */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SinkError';
  }
  /** the target cannot take anything now (down, unreachable, refusing our credentials) */
  static unavailable(message: string, retryAfterMs?: number): SinkError {
    return new SinkError(message, 'unavailable', retryAfterMs);
  }
  static retriable(message: string, retryAfterMs?: number): SinkError {
    return new SinkError(message, 'retriable', retryAfterMs);
  }
  static permanent(message: string): SinkError {
    return new SinkError(message, 'permanent');
  }
}

/** Empty `failed` means every record of the batch was written. Indexes refer to the batch array. */
export interface BatchResult {
  failed: { index: number; error: SinkError }[];
}

/**
 * The lifecycle every sink keeps alike (the conformance suite checks it against the real
 * servers): `init()` opens, `sendBatch` works only between `init()` and `cleanup()` and refuses
 * otherwise with `notStarted` (nothing reaches the target), `cleanup()` is safe to call twice and
 * leaves nothing usable behind, and `init()` after `cleanup()` opens again.
 */
export interface ConnectorSink {
  /** config + reachability; throws an Error whose message says what is wrong */
  validate(): Promise<void>;
  /** open clients / pools; throws a SinkError whose message says what is wrong (unavailable when the target cannot be reached or refuses the credentials) */
  init(): Promise<void>;
  /** write a batch once; a thrown error counts for the whole batch (a SinkError's kind, else unavailable) */
  sendBatch(records: SinkRecord[]): Promise<BatchResult>;
  /** flush and close; safe to call twice */
  cleanup(): Promise<void>;
}

/** A start-up failure as the contract's kind: nothing of a record is at fault, so unavailable. */
export function startFailure(err: unknown): SinkError {
  if (err instanceof SinkError) return err;
  return SinkError.unavailable(err instanceof Error ? err.message : String(err));
}

/** What `sendBatch` throws outside `init()` … `cleanup()`: the same refusal from every sink. */
export function notStarted(type: string): SinkError {
  return SinkError.unavailable(`${type} sink: not started (sendBatch before init() or after cleanup())`);
}

export interface SinkContext {
  tenant: string;
  connectorName: string;
  /** logs with the connector's name attached; never pass secrets */
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** the MQTT broker the connector subscribes on, when there is one (not in the validate endpoint) */
  sourceBrokerUrl?: string;
}

/**
 * What a sink folder's index.ts exports as `createSink`: builds a sink from its type's config,
 * typed by the schema (`Static<typeof schema>`), already validated, defaulted and resolved.
 */
export type SinkFactory<C> = (config: C, ctx: SinkContext) => ConnectorSink;
