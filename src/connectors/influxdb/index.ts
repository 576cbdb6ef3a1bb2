// The `influxdb` connector type's runtime: see sink.ts, mapping.ts, line-protocol.ts.
import type { SinkFactory } from '../sink.js';
import { influxConfigFrom } from './config.js';
import { createInfluxSink } from './sink.js';

export const createSink: SinkFactory = (config, ctx) => createInfluxSink(influxConfigFrom(config), ctx);
