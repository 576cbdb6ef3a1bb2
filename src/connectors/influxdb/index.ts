// The `influxdb` connector type's runtime: see sink.ts, mapping.ts, line-protocol.ts and writers.ts.
import type { InfluxdbConfig } from '../../metadata/configs/influxdb.js';
import type { SinkFactory } from '../sink.js';
import { createInfluxSink } from './sink.js';

export const createSink: SinkFactory<InfluxdbConfig> = createInfluxSink;
