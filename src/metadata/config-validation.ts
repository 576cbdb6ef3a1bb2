// Validates a connector config against its type: defaults, schema rules, cross-field rules.
import type { Static, TObject } from 'typebox';
import Value from 'typebox/value';
import { validationError, type FieldError } from '../errors.js';
import type { ConnectorType } from './connector-type.js';
import { schemaErrors } from './schema-errors.js';
import { resolveReferences } from './secrets.js';

export interface ConfigCheck<C = Record<string, unknown>> {
  config?: C;
  errors: FieldError[];
}

/**
 * Parses `config` as RobustMQ sends it (a JSON string) or as an object. `invalidJson` is set
 * when a string is not JSON at all (answered as INVALID_JSON rather than VALIDATION_FAILED).
 */
export function parseConfigInput(input: unknown, path = 'config'): { value?: Record<string, unknown>; errors: FieldError[]; invalidJson?: boolean } {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      // V8 quotes the start of the text ("Unexpected token 'x', \"{…}\" is not valid JSON"): never echo it, it may hold a secret
      const why = (e as Error).message.replace(/, (\.\.\.)?".*is not valid JSON$/s, '');
      return { errors: [{ path, rule: `must be a JSON object (or a string holding one): ${why}` }], invalidJson: true };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { errors: [{ path, rule: 'must be a JSON object' }] };
  return { value: value as Record<string, unknown>, errors: [] };
}

/**
 * `null` means unset, as RobustMQ's own list output writes an unset option: an optional field (or
 * one with a default) given as `null` is dropped, so its default applies. A required field cannot
 * be unset; its `null` is an error naming it.
 */
export function dropNulls(schema: TObject, input: Record<string, unknown>, prefix = 'config'): { value: Record<string, unknown>; errors: FieldError[] } {
  const required = new Set(schema.required ?? []);
  const value: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(input)) {
    if (v !== null) value[k] = v;
    else if (required.has(k) && (schema.properties[k] as { default?: unknown } | undefined)?.default === undefined) errors.push({ path: `${prefix}.${k}`, rule: 'is required: null means unset' });
  }
  return { value, errors };
}

/** Fills defaults and checks every rule; paths are prefixed with `prefix` (e.g. `config`). */
export function checkConfig<S extends TObject>(type: ConnectorType<S>, input: Record<string, unknown>, prefix = 'config'): ConfigCheck<Static<S> & Record<string, unknown>> {
  const unset = dropNulls(type.schema, input, prefix);
  if (unset.errors.length > 0) return { errors: unset.errors };
  const withDefaults = Value.Default(type.schema, structuredClone(unset.value)) as Record<string, unknown>;
  const errors = schemaErrors(type.schema, withDefaults, prefix);
  if (errors.length > 0) return { errors };
  // schemaErrors found nothing: the object is what the schema describes
  const typed = withDefaults as Static<S> & Record<string, unknown>;
  const crossErrors = (type.check?.(typed) ?? []).map((e) => ({ path: e.path ? `${prefix}.${e.path}` : prefix, rule: e.rule }));
  if (crossErrors.length > 0) return { errors: crossErrors };
  return { config: typed, errors: [] };
}

/**
 * The config a sink receives: validated, defaulted, and with `${env:…}`/`${file:…}` references
 * resolved. The one place a stored config becomes a sink's typed config; sinks read nothing else.
 */
export function sinkConfig<S extends TObject>(type: ConnectorType<S>, stored: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Static<S> {
  const checked = checkConfig(type, stored);
  if (!checked.config) throw validationError(checked.errors);
  return resolveReferences(type.schema, checked.config, env);
}
