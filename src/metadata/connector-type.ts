// What the registry knows about one connector type. No client library is imported here:
// the admin API and the CLI validate configs without loading any driver.
import type { TObject } from 'typebox';
import type { FieldError } from '../errors.js';
import type { SinkFactory } from '../connectors/sink.js';

export interface ConnectorType {
  /** lower-case type id, e.g. `kafka` */
  name: string;
  /** human name, e.g. `Apache Kafka` */
  title: string;
  /** one line, shown by `sluice types` and in the docs */
  description: string;
  /** the single source of the config's fields, defaults, ranges and secret marking */
  schema: TObject;
  /** rules that span several fields (paths relative to the config, e.g. `token`) */
  check?: (config: Record<string, unknown>) => FieldError[];
  /** loads the sink implementation; absent while the type has no runtime yet */
  loadSink?: () => Promise<SinkFactory>;
}
