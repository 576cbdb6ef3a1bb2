// What the registry knows about one connector type. No client library is imported here:
// the admin API and the CLI validate configs without loading any driver.
import type { Static, TObject } from 'typebox';
import type { ConnectorSink, SinkContext } from '../connectors/sink.js';
import type { FieldError } from '../errors.js';

/** What a sink folder's index.ts exports. */
export interface SinkModule<C> {
  /** builds a sink from a validated, defaulted config whose secret references are resolved */
  createSink(config: C, ctx: SinkContext): ConnectorSink;
}

/** The typed config a type's sink receives: exactly what its schema describes. */
export type ConfigOf<T> = T extends ConnectorType<infer S> ? Static<S> : never;

export interface ConnectorType<S extends TObject = TObject> {
  /** lower-case type id, e.g. `kafka` */
  name: string;
  /** other names that find the type (case-insensitively): RobustMQ's enum names, e.g. `LocalFile` for `file`, `GreptimeDB` for `greptime` */
  aliases?: readonly string[];
  /** human name, e.g. `Apache Kafka` */
  title: string;
  /** one line, shown by `sluice types` and in the docs */
  description: string;
  /** the single source of the config's fields, defaults, ranges and secret marking */
  schema: S;
  /** rules that span several fields (paths relative to the config, e.g. `token`); runs on a schema-valid, defaulted config */
  check?(config: Static<S>): FieldError[];
  /**
   * Batches the sink may be given at once (`delivery.max_in_flight`): the default and the most it
   * takes, with why a type allows no more (e.g. a file keeps its lines in order). Absent: 1 and 1.
   */
  inFlight?: { default: number; max: number; why?: string };
  /** loads the sink implementation; absent while the type has no runtime yet */
  loadSink?(): Promise<SinkModule<Static<S>>>;
}
