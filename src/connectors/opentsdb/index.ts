// The `opentsdb` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { OpentsdbConfig } from '../../metadata/configs/opentsdb.js';
import type { SinkFactory } from '../sink.js';
import { createOpentsdbSink } from './sink.js';

export const createSink: SinkFactory<OpentsdbConfig> = createOpentsdbSink;
