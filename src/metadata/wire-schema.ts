// A config schema as a client must send it: a field with a default may be left out, so it is
// not `required` on the wire (the server fills it in). Plain JSON, for the API and the docs.
import type { TSchema } from 'typebox';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function relax(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relax);
  if (!isObject(node)) return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, relax(v)]));
  const props = out.properties;
  if (Array.isArray(out.required) && isObject(props)) {
    const required = (out.required as string[]).filter((f) => !(isObject(props[f]) && props[f].default !== undefined));
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  return out;
}

export function wireSchema(schema: TSchema): Json {
  return relax(JSON.parse(JSON.stringify(schema))) as Json;
}
