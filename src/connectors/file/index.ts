// The `file` connector type's runtime: see sink.ts, mapping.ts, errors.ts and rotation.ts.
import type { FileConfig } from '../../metadata/configs/file.js';
import type { SinkFactory } from '../sink.js';
import { createFileSink } from './sink.js';

export const createSink: SinkFactory<FileConfig> = createFileSink;
