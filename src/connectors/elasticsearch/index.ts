// The `elasticsearch` connector type's runtime: see sink.ts, mapping.ts, errors.ts and client.ts.
import type { ElasticsearchConfig } from '../../metadata/configs/elasticsearch.js';
import type { SinkFactory } from '../sink.js';
import { createElasticsearchSink } from './sink.js';

export const createSink: SinkFactory<ElasticsearchConfig> = createElasticsearchSink;
