// The `mysql` connector type's runtime: see sink.ts, mapping.ts and errors.ts (and ../sql/ for what postgres shares).
import type { MysqlConfig } from '../../metadata/configs/mysql.js';
import type { SinkFactory } from '../sink.js';
import { createMysqlSink } from './sink.js';

export const createSink: SinkFactory<MysqlConfig> = createMysqlSink;
