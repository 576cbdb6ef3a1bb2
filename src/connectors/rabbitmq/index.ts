// The `rabbitmq` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { RabbitmqConfig } from '../../metadata/configs/rabbitmq.js';
import type { SinkFactory } from '../sink.js';
import { createRabbitmqSink } from './sink.js';

export const createSink: SinkFactory<RabbitmqConfig> = createRabbitmqSink;
