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
  /** position in this connector's journal, strictly increasing */
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

export type SinkErrorKind = 'retriable' | 'permanent';

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

export interface ConnectorSink {
  /** config + reachability; throws an Error whose message says what is wrong */
  validate(): Promise<void>;
  /** open clients / pools */
  init(): Promise<void>;
  /** write a batch once; a thrown error counts for the whole batch (retriable unless a permanent SinkError) */
  sendBatch(records: SinkRecord[]): Promise<BatchResult>;
  /** flush and close; safe to call twice */
  cleanup(): Promise<void>;
}

export interface SinkContext {
  tenant: string;
  connectorName: string;
  /** logs with the connector's name attached; never pass secrets */
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** the MQTT broker the connector subscribes on, when there is one (not in the validate endpoint) */
  sourceBrokerUrl?: string;
}

/** What a sink folder exports: builds a sink from an already validated, defaulted, resolved config. */
export type SinkFactory = (config: Record<string, unknown>, ctx: SinkContext) => ConnectorSink;
