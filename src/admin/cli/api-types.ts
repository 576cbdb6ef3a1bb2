// The shapes the CLI reads from the admin API. The server's own types are imported as types
// only (erased at build), so the CLI still loads no server code.
import type { ConnectorView } from '../connector-view.js';
import type { ConnectorStatus } from '../../core/connector-status.js';
import type { DeadLetterItem, DeadLetterPort } from '../../core/runtime-port.js';

export type { ConnectorStatus, ConnectorView };
export type DeadLetter = DeadLetterItem;
export type ReplayResult = Awaited<ReturnType<DeadLetterPort['replay']>>;

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
  /** absent from servers before pipelined delivery */
  max_in_flight?: { default: number; max: number };
  schema: JsonSchema;
}

export interface DeadLetterPage {
  items: DeadLetter[];
  total: number;
}
