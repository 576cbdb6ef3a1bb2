// The `kafka` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { SinkFactory } from '../sink.js';
import { kafkaConfigFrom } from './client-config.js';
import { createKafkaSink } from './sink.js';

export const createSink: SinkFactory = (config, ctx) => createKafkaSink(kafkaConfigFrom(config), ctx);
