// The `clickhouse` connector type's runtime: see sink.ts and mapping.ts.
import type { SinkFactory } from '../sink.js';
import { clickhouseConfigFrom, createClickHouseSink } from './sink.js';

export const createSink: SinkFactory = (config, ctx) => createClickHouseSink(clickhouseConfigFrom(config), ctx);
