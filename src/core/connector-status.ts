// The vocabulary of a connector's live status, owned by the core and read by admin, CLI,
// metrics and docs tests. A state is defined here once.
import type { DesiredState } from '../metadata/definition.js';

/**
 * idle: not started or stopped; running: delivering; waiting: the target is unavailable, delivery
 * is paused and retried with capped backoff, nothing is charged; paused: desired_state is paused;
 * error: the sink could not be opened or the loop failed, retried with capped backoff;
 * stopping: finishing the batch on the wire.
 */
export const CONNECTOR_STATES = ['idle', 'running', 'waiting', 'paused', 'error', 'stopping'] as const;
export type ConnectorState = (typeof CONNECTOR_STATES)[number];

export interface ConnectorStatus {
  tenant: string;
  name: string;
  type: string;
  state: ConnectorState;
  desired_state: DesiredState;
  source_connected: boolean;
  journal_full: boolean;
  received: number;
  written: number;
  discarded: Record<string, number>;
  discarded_total: number;
  dead_lettered: number;
  /** dropped by the connector's transform filter */
  filtered: number;
  pending: number;
  /** holds when received = written + discarded_total + dead_lettered + filtered + pending */
  accounting_ok: boolean;
  retries: number;
  dlq_replayed: number;
  committed_offset: number;
  last_success_at: number | null;
  oldest_pending_age_ms: number;
  journal_bytes: number;
  max_journal_bytes: number;
  last_error: string | null;
  last_error_at: number | null;
  /** since when the connector is `waiting` for its target (ms epoch), else null */
  waiting_since: number | null;
  /** when a `waiting` or `error` connector tries its target next (ms epoch), else null */
  next_attempt_at: number | null;
}
