// The `mqtt` connector type's runtime (a bridge to another broker): see mqtt-sink.ts.
import type { SinkFactory } from '../sink.js';
import { mqttConfigFrom } from './bridge-config.js';
import { createMqttSink } from './mqtt-sink.js';

export const createSink: SinkFactory = (config, ctx) => createMqttSink(mqttConfigFrom(config), ctx);
