// Adds "did you mean …?" to a refusal for a mistyped field or type. The known names come from
// the server (the OpenAPI document and the connector types), so the CLI holds no list of its own.
import type { ConnectorTypeInfo, JsonSchema } from './api-types.js';
import { ServerError, type ServerFieldError } from './cli-errors.js';
import type { ApiClient } from './http-client.js';
import { isPlainObject } from './input.js';
import { didYouMean } from './suggest.js';

const UNKNOWN_FIELD = 'is not a known field';
const UNKNOWN_TYPE = /^unknown connector type "([^"]*)"/;

interface OpenApiDoc {
  paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema & { $ref?: string } }> } }>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

class Known {
  private openapi?: Promise<OpenApiDoc>;
  private types?: Promise<ConnectorTypeInfo[]>;
  constructor(
    private readonly client: ApiClient,
    private readonly body: Record<string, unknown>,
  ) {}

  private doc(): Promise<OpenApiDoc> {
    return (this.openapi ??= this.client.get<OpenApiDoc>('/openapi.json'));
  }

  async typeNames(): Promise<string[]> {
    const items = await (this.types ??= this.client.get<{ items: ConnectorTypeInfo[] }>('/api/v1/connector-types').then((r) => r.items));
    return items.map((t) => t.name);
  }

  /** The field names allowed at `parent` ('' = the definition itself, 'config', 'failure_strategy', …). */
  async fieldsAt(parent: string[]): Promise<string[]> {
    if (parent[0] === 'config') {
      if (typeof this.body.type !== 'string') return [];
      const t = await this.client.get<ConnectorTypeInfo>(`/api/v1/connector-types/${encodeURIComponent(this.body.type)}`);
      return Object.keys(descend(t.schema, parent.slice(1), {})?.properties ?? {});
    }
    const doc = await this.doc();
    const components = doc.components?.schemas ?? {};
    const root = doc.paths?.['/api/v1/connectors']?.post?.requestBody?.content?.['application/json']?.schema;
    return Object.keys(descend(root, parent, components)?.properties ?? {});
  }
}

function deref(s: (JsonSchema & { $ref?: string }) | undefined, components: Record<string, JsonSchema>): JsonSchema | undefined {
  const ref = s?.$ref;
  return ref ? components[ref.replace('#/components/schemas/', '')] : s;
}

function descend(schema: JsonSchema | undefined, path: string[], components: Record<string, JsonSchema>): JsonSchema | undefined {
  let s = deref(schema, components);
  for (const key of path) s = deref(s?.properties?.[key], components);
  return s;
}

async function hint(f: ServerFieldError, known: Known): Promise<string> {
  const type = UNKNOWN_TYPE.exec(f.rule);
  if (type && f.path === 'type') return didYouMean(type[1] ?? '', await known.typeNames());
  if (f.rule !== UNKNOWN_FIELD) return '';
  const parts = f.path.split('.');
  const last = parts.pop() ?? '';
  return didYouMean(last, await known.fieldsAt(parts));
}

/** The same error with a suggestion appended to each rule that has one. */
export async function withFieldHints(e: unknown, client: ApiClient, body: unknown): Promise<unknown> {
  if (!(e instanceof ServerError) || e.fields.length === 0 || !isPlainObject(body)) return e;
  const known = new Known(client, body);
  const fields = await Promise.all(
    e.fields.map(async (f) => {
      // a hint is a courtesy: when the server cannot say what is known, the refusal is shown as it is
      const extra = await hint(f, known).catch(() => '');
      return extra ? { ...f, rule: `${f.rule}${extra}` } : f;
    }),
  );
  return new ServerError(e.status, e.code, e.message, fields, e.messageIsFields);
}
