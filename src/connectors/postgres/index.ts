// The `postgres` connector type's runtime: see sink.ts, mapping.ts and errors.ts (and ../sql/ for what mysql shares).
import type { PostgresConfig } from '../../metadata/configs/postgres.js';
import type { SinkFactory } from '../sink.js';
import { createPostgresSink } from './sink.js';

export const createSink: SinkFactory<PostgresConfig> = createPostgresSink;
