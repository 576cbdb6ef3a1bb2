// The `redis` connector type's runtime: see sink.ts, client.ts, mapping.ts and errors.ts.
import type { RedisConfig } from '../../metadata/configs/redis.js';
import type { SinkFactory } from '../sink.js';
import { createRedisSink } from './sink.js';

export const createSink: SinkFactory<RedisConfig> = createRedisSink;
