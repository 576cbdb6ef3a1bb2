// The `kafka` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { KafkaConfig } from '../../metadata/configs/kafka.js';
import type { SinkFactory } from '../sink.js';
import { createKafkaSink } from './sink.js';

export const createSink: SinkFactory<KafkaConfig> = createKafkaSink;
