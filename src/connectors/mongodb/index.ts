// The `mongodb` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { MongodbConfig } from '../../metadata/configs/mongodb.js';
import type { SinkFactory } from '../sink.js';
import { createMongodbSink } from './sink.js';

export const createSink: SinkFactory<MongodbConfig> = createMongodbSink;
