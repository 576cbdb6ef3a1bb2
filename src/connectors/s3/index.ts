// The `s3` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { S3Config } from '../../metadata/configs/s3.js';
import type { SinkFactory } from '../sink.js';
import { createS3Sink } from './sink.js';

export const createSink: SinkFactory<S3Config> = createS3Sink;
