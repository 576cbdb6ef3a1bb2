// The `kafka` connector type's runtime: see kafka-sink.ts, record-mapping.ts and kafka-errors.ts.
import type { SinkFactory } from '../sink.js';
import { kafkaConfigFrom } from './kafka-config.js';
import { createKafkaSink } from './kafka-sink.js';

export const createSink: SinkFactory = (config, ctx) => createKafkaSink(kafkaConfigFrom(config), ctx);
