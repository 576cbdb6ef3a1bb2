// The shapes the CLI reads from the admin API. Declared here (not imported from the server
// modules) so that the CLI loads no server code; only the fields the CLI shows are named.

export interface ConnectorView {
  tenant: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
  topic_filter: string;
  failure_strategy: Record<string, unknown>;
  delivery: Record<string, unknown>;
  desired_state: string;
  description: string;
  created_at: string;
  updated_at: string;
  revision: number;
}

export interface ConnectorPage {
  items: ConnectorView[];
  total: number;
  page: number;
  limit: number;
}

/** A JSON Schema as the server sends it; only the keywords the CLI reads are typed. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  const?: unknown;
  default?: unknown;
  description?: string;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  writeOnly?: boolean;
  'x-secret'?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}

export interface ConnectorTypeInfo {
  name: string;
  title: string;
  description: string;
  secret_fields: string[];
  runtime_available: boolean;
  schema: JsonSchema;
}

export interface ConnectorStatus {
  tenant: string;
  name: string;
  type?: string;
  state: string;
  desired_state?: string;
  source_connected?: boolean;
  received: number;
  written: number;
  discarded: Record<string, number>;
  discarded_total: number;
  dead_lettered: number;
  pending: number;
  retries: number;
  last_success_at: number | null;
  oldest_pending_age_ms: number;
  last_error: string | null;
  journal_bytes: number;
  max_journal_bytes?: number;
  journal_full: boolean;
  last_error_at?: number | null;
}

export interface DeadLetter {
  id: number;
  connector_name: string;
  source_topic: string;
  error_message: string;
  retry_times: number;
  payload: string;
  payload_encoding: 'utf8' | 'base64';
  original_timestamp: number | string;
  dead_letter_timestamp: number | string;
}

export interface ReplayResult {
  replayed: number;
  /** dead letters the sink refused again; they stay in the table */
  failed?: number;
}

export interface DeadLetterPage {
  items: DeadLetter[];
  total: number;
}
