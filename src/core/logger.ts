// The logging surface the core needs (pino's, which fastify hands us).
import { maskText } from '../metadata/secret-masking.js';

export interface Logger {
  child(bindings: Record<string, unknown>): Logger;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export function logFn(log: Logger): LogFn {
  // a sink's message or field may carry a URL with its password or token: masked on the way out
  return (level, msg, fields = {}) => log[level](maskFields(fields), maskText(msg));
}

function maskFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? maskText(v) : v]));
}
