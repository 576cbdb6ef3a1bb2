import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { HttpUrl, Password, TimeoutMs, Token, Username } from '../schema-kit.js';

export const webhookSchema = Type.Object(
  {
    url: HttpUrl('Target URL.', ['https://example.com/hook']),
    method: Type.Enum(['post', 'put'], { default: 'post', description: 'HTTP method.' }),
    headers: Type.Record(Type.String({ pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]{1,256}$' }), Type.String({ maxLength: 8192 }), { default: {}, maxProperties: 64, additionalProperties: Type.Never(), 'x-headers': true, description: 'Extra request headers; the values of Authorization, Proxy-Authorization, Cookie, X-Api-Key and any header whose name contains token, secret, key or auth are write-only.', examples: [{ 'X-Source': 'sluice' }] }),
    timeout_ms: TimeoutMs({ maximum: 60_000, default: 5000 }),
    auth_type: Type.Enum(['none', 'basic', 'bearer'], { default: 'none', description: 'Authentication.' }),
    username: Type.Optional(Username({ description: 'User name (basic).' })),
    password: Type.Optional(Password({ description: 'Password (basic).' })),
    bearer_token: Type.Optional(Token({ description: 'Token (bearer).' })),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { url: 'https://example.com/hook' },
      { url: 'https://example.com/hook', auth_type: 'basic', username: 'sluice', password: '${env:SLUICE_SECRET_HOOK_PASSWORD}', bearer_token: '${env:SLUICE_SECRET_HOOK_TOKEN}' },
    ],
  },
);

export type WebhookConfig = Static<typeof webhookSchema>;

export const webhookType: ConnectorType<typeof webhookSchema> = {
  name: 'webhook',
  title: 'Webhook (HTTP)',
  description: 'POSTs (or PUTs) each batch as a JSON array of records to an HTTP endpoint.',
  inFlight: { default: 1, max: 16 },
  loadSink: () => import('../../connectors/webhook/index.js'),
  schema: webhookSchema,
  check(config) {
    const errors: FieldError[] = [];
    if (config.auth_type === 'basic') {
      if (!config.username) errors.push({ path: 'username', rule: 'is required when auth_type is basic' });
      if (!config.password) errors.push({ path: 'password', rule: 'is required when auth_type is basic' });
    }
    if (config.auth_type === 'bearer' && !config.bearer_token) errors.push({ path: 'bearer_token', rule: 'is required when auth_type is bearer' });
    return errors;
  },
};
