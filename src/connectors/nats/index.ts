// The `nats` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { NatsConfig } from '../../metadata/configs/nats.js';
import type { SinkFactory } from '../sink.js';
import { createNatsSink } from './sink.js';

export const createSink: SinkFactory<NatsConfig> = createNatsSink;
