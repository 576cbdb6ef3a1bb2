// The `clickhouse` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { ClickHouseConfig } from '../../metadata/configs/clickhouse.js';
import type { SinkFactory } from '../sink.js';
import { createClickHouseSink } from './sink.js';

export const createSink: SinkFactory<ClickHouseConfig> = createClickHouseSink;
