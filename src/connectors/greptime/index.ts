// The `greptime` connector type's runtime: see sink.ts, mapping.ts, writer.ts and errors.ts.
import type { GreptimeConfig } from '../../metadata/configs/greptime.js';
import type { SinkFactory } from '../sink.js';
import { createGreptimeSink } from './sink.js';

export const createSink: SinkFactory<GreptimeConfig> = createGreptimeSink;
