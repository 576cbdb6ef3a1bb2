// How many batches a connector writes at once: `delivery.max_in_flight`, else its type's default.
import type { ConnectorType } from './connector-type.js';
import type { Delivery } from './delivery.js';

/** The type's default and most batches in flight (1 and 1 for a type that declares none). */
export function inFlightOf(type: Pick<ConnectorType, 'inFlight'>): { default: number; max: number } {
  return { default: type.inFlight?.default ?? 1, max: type.inFlight?.max ?? 1 };
}

/** What a connector runs with. */
export function maxInFlight(type: Pick<ConnectorType, 'inFlight'>, delivery: Pick<Delivery, 'max_in_flight'>): number {
  return Math.min(delivery.max_in_flight ?? inFlightOf(type).default, inFlightOf(type).max);
}
