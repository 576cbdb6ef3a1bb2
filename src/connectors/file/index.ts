// The `file` connector type's runtime: see file-sink.ts and rotation.ts.
import type { SinkFactory } from '../sink.js';
import { createFileSink, fileConfigFrom } from './sink.js';

export const createSink: SinkFactory = (config, ctx) => createFileSink(fileConfigFrom(config), ctx);
