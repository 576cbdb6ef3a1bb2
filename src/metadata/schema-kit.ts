// Building blocks shared by the config schemas: secret fields, host lists, TLS and SASL groups.
import Type, { type TSchema } from 'typebox';

/** Marks a field write-only: every read shows `******`; writing `******` keeps the stored value. */
export function Secret(options: { description: string; default?: string }): TSchema {
  return Type.String({ maxLength: 65536, writeOnly: true, 'x-secret': true, ...options });
}

/** A URL field: its userinfo password and sensitive query parameters are masked like secrets. */
export function isUrlSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as Record<string, unknown>)['x-url'] === true;
}

/** A header map: the values of sensitive headers (Authorization, X-Api-Key, …) are masked like secrets. */
export function isHeaderMapSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as Record<string, unknown>)['x-headers'] === true;
}

export function isSecretSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as Record<string, unknown>)['x-secret'] === true;
}

/** a TCP port, 1–65535 */
const PORT = '(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})';
const HOST = '(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)';
export const HOST_PORT_LIST_PATTERN = `^\\s*${HOST}:${PORT}\\s*(,\\s*${HOST}:${PORT}\\s*)*$`;

export function HttpUrl(description: string, examples: string[]): TSchema {
  return Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://[^\\s]+$', 'x-rule': 'expected an http:// or https:// URL', 'x-url': true, description, examples });
}

/** TLS options shared by every network sink. */
export const TlsFields = {
  enable_tls: Type.Boolean({ default: false, description: 'Connect with TLS.' }),
  tls_ca: Type.Optional(Type.String({ maxLength: 65536, 'x-reference': true, description: 'PEM CA bundle (or `${file:/path}`) used to verify the server.' })),
  tls_cert: Type.Optional(Type.String({ maxLength: 65536, 'x-reference': true, description: 'PEM client certificate for mutual TLS (or `${file:/path}`).' })),
  tls_key: Type.Optional(Secret({ description: 'PEM client private key for mutual TLS (or `${file:/path}`).' })),
  tls_insecure_skip_verify: Type.Boolean({ default: false, description: 'Skip server certificate verification. Only for tests.' }),
};

/** Optional username/password pair. */
export const CredentialFields = {
  username: Type.Optional(Type.String({ maxLength: 1024, description: 'User name.' })),
  password: Type.Optional(Secret({ description: 'Password.' })),
};
