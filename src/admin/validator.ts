// Fastify validator compiler backed by TypeBox and Sluice's error wording, so that a route's
// TypeBox schema is its only validation and every 400 names the field and the rule.
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { validationError } from '../errors.js';
import { schemaErrors } from '../metadata/schema-errors.js';

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const coerce = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  const prefix = httpPart === 'querystring' ? 'query' : httpPart === 'params' ? 'path' : httpPart === 'headers' ? 'header' : '';
  const optionalBody = httpPart === 'body' && (schema as Record<string, unknown>)['x-body-optional'] === true;
  return (data: unknown) => {
    if (optionalBody && (data === undefined || data === null)) return { value: undefined };
    let value = Value.Default(schema, structuredClone(data));
    if (coerce) value = Value.Convert(schema, value);
    const errors = schemaErrors(schema, value, prefix);
    if (errors.length > 0) return { error: validationError(errors) };
    return { value };
  };
};
