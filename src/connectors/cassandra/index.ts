// The `cassandra` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { CassandraConfig } from '../../metadata/configs/cassandra.js';
import type { SinkFactory } from '../sink.js';
import { createCassandraSink } from './sink.js';

export const createSink: SinkFactory<CassandraConfig> = createCassandraSink;
