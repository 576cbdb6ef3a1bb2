// Building blocks shared by the config schemas: secret fields, hosts and ports, and the field
// groups that several types carry (TLS, user/password and token auth, timeouts, pool sizes, MQTT
// client options). A field that more than one type needs is defined here once.
import Type, { type TInteger, type TSchema, type TString } from 'typebox';
import { templateError, type TemplateOptions } from './template.js';

/** Marks a field write-only: every read shows `******`; writing `******` keeps the stored value. */
export function Secret(options: { description: string; default?: string }): TString {
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

/**
 * A RobustMQ field that is accepted (so RobustMQ's configs load unchanged) but has no effect in
 * Sluice; `why` says what does its job here. The docs tables show the description.
 */
export function NoEffect<T extends TSchema>(schema: T, why: string): T {
  return { ...schema, 'x-no-effect': true, description: `Accepted for RobustMQ compatibility; no effect. ${why}` };
}

/** a TCP port, 1–65535 */
const PORT = '(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})';
const HOST = '(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)';
export const HOST_PORT_LIST_PATTERN = `^\\s*${HOST}:${PORT}\\s*(,\\s*${HOST}:${PORT}\\s*)*$`;

export function HttpUrl(description: string, examples: string[]): TString {
  return Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://[^\\s]+$', 'x-rule': 'expected an http:// or https:// URL', 'x-url': true, description, examples });
}

/** A host name or IP address (no port, no scheme). */
export function Host(options: { description?: string; default?: string; examples?: string[] } = {}): TString {
  return Type.String({ minLength: 1, maxLength: 253, pattern: `^${HOST}$|^[0-9A-Fa-f:.]+$`, 'x-rule': 'expected a host name or IP address', description: 'Server host name or IP address.', ...options });
}

export function Port(options: { default: number; description?: string }): TInteger {
  return Type.Integer({ minimum: 1, maximum: 65535, description: 'Server port.', ...options });
}

/** A template field (see template.ts); `x-template` lets the docs and config check know it. */
export function Template(options: { description: string; default?: string; minLength?: number; maxLength?: number; examples?: string[] }): TString {
  return Type.String({ maxLength: 4096, 'x-template': true, ...options });
}

/** The config-check rule of a template field: the error names the unknown variable. */
export function templateFieldErrors(path: string, source: unknown, options?: TemplateOptions): { path: string; rule: string }[] {
  const rule = typeof source === 'string' ? templateError(source, options) : undefined;
  return rule ? [{ path, rule }] : [];
}

/** A timeout in seconds (the unit is in the field name, as RobustMQ names them). */
export function TimeoutSecs(options: { default: number; maximum?: number; minimum?: number; description?: string }): TInteger {
  return Type.Integer({ minimum: 1, maximum: 300, description: 'Request timeout, in seconds.', ...options });
}

/** A timeout in milliseconds. */
export function TimeoutMs(options: { default: number; minimum?: number; maximum?: number; description?: string }): TInteger {
  return Type.Integer({ minimum: 1, maximum: 300_000, description: 'Request timeout, in ms.', ...options });
}

/** Most connections (or clients) a sink keeps open to its target. */
export function PoolSize(options: { default: number; maximum?: number; description?: string }): TInteger {
  return Type.Integer({ minimum: 1, maximum: 64, description: 'Maximum open connections.', ...options });
}

/** TLS options shared by every network sink. */
export const TlsFields = {
  enable_tls: Type.Boolean({ default: false, description: 'Connect with TLS.' }),
  tls_ca: Type.Optional(Type.String({ maxLength: 65536, 'x-reference': true, description: 'PEM CA bundle (or `${file:/path}`) used to verify the server.' })),
  tls_cert: Type.Optional(Type.String({ maxLength: 65536, 'x-reference': true, description: 'PEM client certificate for mutual TLS (or `${file:/path}`).' })),
  tls_key: Type.Optional(Secret({ description: 'PEM client private key for mutual TLS (or `${file:/path}`).' })),
  tls_insecure_skip_verify: Type.Boolean({ default: false, description: 'Skip server certificate verification. Only for tests.' }),
};

export function Username(options: { description?: string; default?: string } = {}): TString {
  return Type.String({ maxLength: 1024, description: 'User name.', ...options });
}

export function Password(options: { description?: string; default?: string } = {}): TString {
  return Secret({ description: 'Password.', ...options });
}

/** An API token, write-only like every secret. */
export function Token(options: { description?: string; default?: string } = {}): TString {
  return Secret({ description: 'API token.', ...options });
}

/** Optional username/password pair. */
export const CredentialFields = {
  username: Type.Optional(Username()),
  password: Type.Optional(Password()),
};

/** Options of an MQTT client connection (the bridge's target); the source broker's come from settings. */
export const MqttClientFields = {
  client_id_prefix: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', 'x-rule': 'expected A-Z a-z 0-9 _ . : -', default: 'sluice', description: 'Client id prefix; the client id is `<prefix>_<connector name>`.' }),
  ...CredentialFields,
  protocol_version: Type.Enum(['v3', 'v4', 'v5'], { default: 'v5', description: 'v3: MQTT 3.1, v4: MQTT 3.1.1, v5: MQTT 5 (carries the MQTT 5 properties).' }),
  keepalive_secs: Type.Integer({ minimum: 1, maximum: 65535, default: 60, description: 'Keep-alive interval, in seconds.' }),
  connect_timeout_secs: TimeoutSecs({ default: 10, description: 'Connect timeout, in seconds.' }),
};

/** The TLS rules every type with TlsFields shares: a client certificate needs its key and back. */
export function tlsPairErrors(config: { tls_cert?: string; tls_key?: string }): { path: string; rule: string }[] {
  if (config.tls_cert && !config.tls_key) return [{ path: 'tls_key', rule: 'is required when tls_cert is set' }];
  if (config.tls_key && !config.tls_cert) return [{ path: 'tls_cert', rule: 'is required when tls_key is set' }];
  return [];
}
