// The `mqtt` connector type's runtime: a bridge to another broker; see sink.ts, mapping.ts and errors.ts.
import type { MqttConfig } from '../../metadata/configs/mqtt.js';
import type { SinkFactory } from '../sink.js';
import { createMqttSink } from './sink.js';

export const createSink: SinkFactory<MqttConfig> = createMqttSink;
