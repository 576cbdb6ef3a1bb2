// The `webhook` connector type's runtime: see webhook-sink.ts.
import type { SinkFactory } from '../sink.js';
import { createWebhookSink, webhookConfigFrom } from './sink.js';

export const createSink: SinkFactory = (config, ctx) => createWebhookSink(webhookConfigFrom(config), ctx);
