// The `webhook` connector type's runtime: see sink.ts, mapping.ts and errors.ts.
import type { WebhookConfig } from '../../metadata/configs/webhook.js';
import type { SinkFactory } from '../sink.js';
import { createWebhookSink } from './sink.js';

export const createSink: SinkFactory<WebhookConfig> = createWebhookSink;
