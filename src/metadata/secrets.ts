// Secret fields are write-only: reads show REDACTED, writing REDACTED keeps the stored value.
// `${env:NAME}` and `${file:/path}` references are stored as written and resolved only at start.
import { readFileSync } from 'node:fs';
import type { TObject } from 'typebox';
import { SluiceError } from '../errors.js';
import { isSecretSchema } from './schema-kit.js';

export const REDACTED = '******';
const REFERENCE = /^\$\{(env|file):([^}]+)\}$/;

export function secretFields(schema: TObject): string[] {
  return Object.entries(schema.properties).filter(([, s]) => isSecretSchema(s)).map(([k]) => k);
}

function referenceFields(schema: TObject): string[] {
  return Object.entries(schema.properties)
    .filter(([, s]) => isSecretSchema(s) || (s as Record<string, unknown>)['x-reference'] === true)
    .map(([k]) => k);
}

export function redactConfig(schema: TObject, config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  for (const f of secretFields(schema)) {
    if (typeof out[f] === 'string' && out[f] !== '') out[f] = REDACTED;
  }
  return out;
}

/** Puts the stored value back wherever the incoming config carries REDACTED in a secret field. */
export function keepStoredSecrets(schema: TObject, incoming: Record<string, unknown>, stored: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = { ...incoming };
  for (const f of secretFields(schema)) {
    if (out[f] === REDACTED) {
      if (stored && stored[f] !== undefined) out[f] = stored[f];
      else delete out[f];
    }
  }
  return out;
}

export function isReference(value: unknown): value is string {
  return typeof value === 'string' && REFERENCE.test(value);
}

/** Resolves `${env:NAME}` / `${file:/path}` in secret and reference fields; the result is never stored. */
export function resolveReferences(schema: TObject, config: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const out = { ...config };
  for (const f of referenceFields(schema)) {
    const v = out[f];
    if (typeof v !== 'string') continue;
    const m = REFERENCE.exec(v);
    if (!m) continue;
    const [, kind, target] = m as unknown as [string, 'env' | 'file', string];
    if (kind === 'env') {
      const value = env[target];
      if (value === undefined) throw new SluiceError('SECRET_REFERENCE_UNRESOLVED', `config.${f}: environment variable ${target} is not set`, [{ path: `config.${f}`, rule: `environment variable ${target} is not set` }]);
      out[f] = value;
    } else {
      try {
        out[f] = readFileSync(target, 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        const why = (e as NodeJS.ErrnoException).code ?? 'unreadable';
        throw new SluiceError('SECRET_REFERENCE_UNRESOLVED', `config.${f}: file ${target} cannot be read (${why})`, [{ path: `config.${f}`, rule: `file ${target} cannot be read (${why})` }]);
      }
    }
  }
  return out;
}
