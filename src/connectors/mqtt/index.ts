// The `mqtt` connector type's runtime (a bridge to another broker): see mqtt-sink.ts.
import type { SinkFactory } from '../sink.js';
import { mqttConfigFrom } from './client-options.js';
import { createMqttSink } from './sink.js';

export const createSink: SinkFactory = (config, ctx) => createMqttSink(mqttConfigFrom(config), ctx);
