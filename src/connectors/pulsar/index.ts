// The `pulsar` connector type's runtime: see sink.ts, producer-socket.ts, auth.ts, mapping.ts and errors.ts.
import type { PulsarConfig } from '../../metadata/configs/pulsar.js';
import type { SinkFactory } from '../sink.js';
import { createPulsarSink } from './sink.js';

export const createSink: SinkFactory<PulsarConfig> = createPulsarSink;
