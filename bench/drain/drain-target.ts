// A sink type in the drain benchmark: Sluice drains a journaled backlog into the type's real
// server, next to the same server's bare client writing the same number of records in batches
// of the same size, measured in the same run. One file per type in this folder
// (`bench/drain/<type>.ts`, exporting `drainTarget`); bench/run.ts picks them all up.
import type { Target } from '../targets.js';

export interface DrainRun {
  /** the connector writing to a fresh place named `id`, and how many records of `id` arrived */
  target: Pick<Target, 'name' | 'connector' | 'count'>;
  /** the bare client writing `total` records into a fresh place named `id` in batches of `batchSize`, back to back: records/s */
  bareRate(id: string, total: number, batchSize: number): Promise<number>;
  /** stops the server and closes every client */
  stop(): Promise<void>;
}

export interface DrainTarget {
  /** the connector type */
  name: string;
  /** what one record is in this target, e.g. `rows`, `commands`, `confirmed messages` */
  unit: string;
  /** the absolute goal on the 2-core benchmark machine, records/s */
  goal: number;
  /** starts the real server (through the test harness) and its bare client */
  start(): Promise<DrainRun>;
}
