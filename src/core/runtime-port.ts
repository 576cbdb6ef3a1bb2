// How the admin layer talks to the runtime that moves messages: the port the core's manager
// implements and the shapes it answers with. The admin API works without one (definitions only).
import type { DefinitionChange } from '../metadata/store.js';
import type { SinkRecord } from '../connectors/sink.js';
import type { ConnectorStatus } from './connector-status.js';
import type { HistorySample } from './status-history.js';
import type { FleetConnectorStatus } from './fleet-status.js';
import type { FleetInstance } from './fleet-member.js';

export interface DeadLetterItem {
  id: number;
  connector_name: string;
  source_topic: string;
  error_message: string;
  retry_times: number;
  payload: string;
  payload_encoding: 'utf8' | 'base64';
  qos: number;
  retain: boolean;
  original_timestamp: number;
  dead_letter_timestamp: number;
}

export interface DeadLetterPort {
  list(limit: number, page: number): { items: DeadLetterItem[]; total: number };
  get(id: number): DeadLetterItem | undefined;
  /** sends the dead letters (all, or `ids`) through the sink; the written ones leave the table */
  replay(ids?: number[]): Promise<{ replayed: number; failed: number }>;
  purge(ids?: number[]): number;
}

/** One connector's sampled rates and pending (src/core/status-history.ts), oldest first. */
export interface ConnectorHistory {
  interval_ms: number;
  keep_ms: number;
  samples: HistorySample[];
}

export interface RuntimePort {
  /**
   * Called after a definition change is stored. A deletion is complete when it resolves; a
   * creation or update is taken and applied in the background (await `settle` to wait for it).
   */
  apply(change: DefinitionChange): Promise<void>;
  /** resolves when the connector has applied every change handed to it so far */
  settle(tenant: string, name: string): Promise<void>;
  /** live status, or undefined when the runtime does not run this connector */
  status(tenant: string, name: string): ConnectorStatus | undefined;
  restart(tenant: string, name: string): Promise<void>;
  deadLetters(tenant: string, name: string): DeadLetterPort | undefined;
  /** the newest `limit` records in the connector's journal, or undefined when the runtime does not run it */
  recentRecords?(tenant: string, name: string, limit: number): SinkRecord[] | undefined;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** samples newer than `sinceMs`, or undefined when the runtime does not run this connector */
  history(tenant: string, name: string, sinceMs?: number): ConnectorHistory | undefined;
  ready(): boolean;
  /** why the runtime is not ready (empty when it is): e.g. the journal cannot take writes */
  notReadyReasons?(): string[];
  /** fleet mode (shared store): the connector across every process; undefined when not in a fleet */
  fleetStatus?(tenant: string, name: string): Promise<FleetConnectorStatus | undefined>;
  /** fleet mode: every process of the fleet; undefined when not in a fleet */
  fleetInstances?(): Promise<FleetInstance[] | undefined>;
}
