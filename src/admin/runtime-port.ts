// How the admin layer talks to the runtime that moves messages (src/core). The admin API works
// without one (definitions only); the core's manager implements it.
import type { DefinitionChange } from '../metadata/store.js';

export type ConnectorState = 'idle' | 'running' | 'paused' | 'error' | 'stopping';

export interface ConnectorStatus {
  tenant: string;
  name: string;
  state: ConnectorState;
  [field: string]: unknown;
}

export interface RuntimePort {
  /** called after a definition change is stored; the runtime starts, swaps or stops the connector */
  apply(change: DefinitionChange): Promise<void>;
  /** live status, or undefined when the runtime does not run this connector */
  status(tenant: string, name: string): ConnectorStatus | undefined;
  ready(): boolean;
}
