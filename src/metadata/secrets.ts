// Secret fields are write-only: reads show REDACTED, writing REDACTED keeps the stored value.
// URL fields and header maps hide the secrets inside them the same way (secret-masking.ts).
// `${env:NAME}` and `${file:/path}` references are stored as written and resolved only at
// start, and only where the operator allows (reference-policy.ts).
import { readFileSync } from 'node:fs';
import type { TObject } from 'typebox';
import { type FieldError, SluiceError, validationError } from '../errors.js';
import { referenceRefusal, referencePolicyFromEnv, resolvedFilePath, type ReferencePolicy } from './reference-policy.js';
import { isHeaderMapSchema, isSecretSchema, isUrlSchema } from './schema-kit.js';
import { keepStoredHeaders, keepStoredUrl, MASK, maskHeaders, maskUrl } from './secret-masking.js';

export const REDACTED = MASK;
const REFERENCE = /^\$\{(env|file):([^}]+)\}$/;

export function secretFields(schema: TObject): string[] {
  return Object.entries(schema.properties).filter(([, s]) => isSecretSchema(s)).map(([k]) => k);
}

function fieldsWhere(schema: TObject, pick: (s: unknown) => boolean): string[] {
  return Object.entries(schema.properties).filter(([, s]) => pick(s)).map(([k]) => k);
}

function referenceFields(schema: TObject): string[] {
  return fieldsWhere(schema, (s) => isSecretSchema(s) || (s as Record<string, unknown>)['x-reference'] === true);
}

export function redactConfig(schema: TObject, config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  for (const f of secretFields(schema)) {
    if (typeof out[f] === 'string' && out[f] !== '') out[f] = REDACTED;
  }
  for (const f of fieldsWhere(schema, isUrlSchema)) {
    if (typeof out[f] === 'string') out[f] = maskUrl(out[f]);
  }
  for (const f of fieldsWhere(schema, isHeaderMapSchema)) {
    const v = out[f];
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) out[f] = maskHeaders(v as Record<string, unknown>);
  }
  return out;
}

/** Puts the stored value back wherever the incoming config carries REDACTED in a secret place. */
export function keepStoredSecrets(schema: TObject, incoming: Record<string, unknown>, stored: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = { ...incoming };
  for (const f of secretFields(schema)) {
    if (out[f] === REDACTED) {
      if (stored && stored[f] !== undefined) out[f] = stored[f];
      else delete out[f];
    }
  }
  const fields: FieldError[] = [];
  const keep = (f: string, restore: () => unknown) => {
    try {
      out[f] = restore();
    } catch (e) {
      if (!(e instanceof SluiceError)) throw e;
      fields.push(...e.fields);
    }
  };
  for (const f of fieldsWhere(schema, isUrlSchema)) {
    const v = out[f];
    if (typeof v === 'string') keep(f, () => keepStoredUrl(v, stored?.[f], `config.${f}`));
  }
  for (const f of fieldsWhere(schema, isHeaderMapSchema)) {
    const v = out[f];
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) keep(f, () => keepStoredHeaders(v as Record<string, unknown>, stored?.[f], `config.${f}`));
  }
  if (fields.length > 0) throw validationError(fields);
  return out;
}

export function isReference(value: unknown): value is string {
  return typeof value === 'string' && REFERENCE.test(value);
}

function parseReference(value: unknown): { kind: 'env' | 'file'; target: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = REFERENCE.exec(value);
  return m ? { kind: m[1] as 'env' | 'file', target: m[2] as string } : undefined;
}

/** Field errors for references the policy does not allow (checked when a definition is written). */
export function referenceErrors(schema: TObject, config: Record<string, unknown>, policy: ReferencePolicy = referencePolicyFromEnv()): { path: string; rule: string }[] {
  const errors: { path: string; rule: string }[] = [];
  for (const f of referenceFields(schema)) {
    const ref = parseReference(config[f]);
    if (!ref) continue;
    const rule = referenceRefusal(ref.kind, ref.target, policy);
    if (rule) errors.push({ path: `config.${f}`, rule });
  }
  return errors;
}

function unresolved(f: string, rule: string): SluiceError {
  return new SluiceError('SECRET_REFERENCE_UNRESOLVED', `config.${f}: ${rule}`, [{ path: `config.${f}`, rule }]);
}

/** Resolves `${env:NAME}` / `${file:/path}` in secret and reference fields; the result is never stored. */
export function resolveReferences<C extends Record<string, unknown>>(schema: TObject, config: C, env: NodeJS.ProcessEnv = process.env, policy: ReferencePolicy = referencePolicyFromEnv(env)): C {
  const out: Record<string, unknown> = { ...config };
  for (const f of referenceFields(schema)) {
    const ref = parseReference(out[f]);
    if (!ref) continue;
    const refused = referenceRefusal(ref.kind, ref.target, policy);
    if (refused) throw unresolved(f, refused);
    if (ref.kind === 'env') {
      const value = env[ref.target];
      if (value === undefined) throw unresolved(f, `environment variable ${ref.target} is not set`);
      out[f] = value;
    } else {
      try {
        out[f] = readFileSync(resolvedFilePath(ref.target, policy), 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        if (e instanceof SluiceError) throw unresolved(f, e.message);
        const why = (e as NodeJS.ErrnoException).code ?? 'unreadable';
        throw unresolved(f, `file ${ref.target} cannot be read (${why})`);
      }
    }
  }
  // only string fields were replaced by strings
  return out as C;
}
