// One implementation behind both API surfaces (RobustMQ-compatible and /api/v1) and the CLI.
import { SluiceError } from '../errors.js';
import { buildDefinition, type ConnectorDefinition, type DefinitionInput } from '../metadata/definition.js';
import type { DefinitionStore, ListQuery } from '../metadata/store.js';
import { toView, type ConnectorView } from './connector-view.js';
import type { RuntimePort } from '../core/runtime-port.js';

export interface ListPage {
  items: ConnectorView[];
  total: number;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch: objects merge, `null` removes a key, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class ConnectorService {
  constructor(
    readonly store: DefinitionStore,
    private runtime?: RuntimePort,
  ) {}

  attachRuntime(runtime: RuntimePort): void {
    this.runtime = runtime;
  }

  runtimePort(): RuntimePort | undefined {
    return this.runtime;
  }

  async list(q: ListQuery): Promise<ListPage> {
    const r = await this.store.list(q);
    return { items: r.items.map(toView), total: r.total };
  }

  async definition(tenant: string, name: string): Promise<ConnectorDefinition> {
    const def = await this.store.get(tenant, name);
    if (!def) throw new SluiceError('NOT_FOUND', `connector ${tenant}/${name} does not exist`);
    return def;
  }

  async get(tenant: string, name: string): Promise<ConnectorView> {
    return toView(await this.definition(tenant, name));
  }

  async create(input: DefinitionInput): Promise<ConnectorView> {
    const content = buildDefinition(input);
    const def = await this.store.create(content);
    await this.runtime?.apply({ kind: 'created', definition: def });
    return toView(def);
  }

  /** PUT: the body is the whole definition; tenant and name come from the URL. */
  async replace(tenant: string, name: string, input: DefinitionInput, expectedRevision?: number): Promise<ConnectorView> {
    this.checkIdentity(tenant, name, input);
    const previous = await this.definition(tenant, name);
    const content = buildDefinition({ ...input, tenant, name }, previous);
    const def = await this.store.update(content, expectedRevision);
    await this.runtime?.apply({ kind: 'updated', definition: def, previous });
    return toView(def);
  }

  /** PATCH: merge-patches the stored definition (config, failure_strategy and delivery merge key by key). */
  async patch(tenant: string, name: string, patch: Record<string, unknown>, expectedRevision?: number): Promise<ConnectorView> {
    this.checkIdentity(tenant, name, patch);
    const previous = await this.definition(tenant, name);
    let config = patch.config;
    if (typeof config === 'string') {
      try {
        config = JSON.parse(config) as unknown;
      } catch {
        /* buildDefinition reports it with the field name */
      }
    }
    const base: Record<string, unknown> = { ...previous };
    const merged = mergePatch(base, { ...patch, ...(config === undefined ? {} : { config }) }) as DefinitionInput;
    const content = buildDefinition({ ...merged, tenant, name }, previous);
    const def = await this.store.update(content, expectedRevision);
    await this.runtime?.apply({ kind: 'updated', definition: def, previous });
    return toView(def);
  }

  async setDesiredState(tenant: string, name: string, desired: 'running' | 'paused'): Promise<ConnectorView> {
    return this.patch(tenant, name, { desired_state: desired });
  }

  async delete(tenant: string, name: string): Promise<ConnectorView> {
    const def = await this.store.delete(tenant, name);
    if (!def) throw new SluiceError('NOT_FOUND', `connector ${tenant}/${name} does not exist`);
    await this.runtime?.apply({ kind: 'deleted', definition: def });
    return toView(def);
  }

  private checkIdentity(tenant: string, name: string, input: { tenant?: unknown; name?: unknown }): void {
    const fields = [];
    if (input.name !== undefined && input.name !== name) fields.push({ path: 'name', rule: `must match the URL (${name}); a connector cannot be renamed` });
    if (input.tenant !== undefined && input.tenant !== tenant) fields.push({ path: 'tenant', rule: `must match the tenant in the URL (${tenant})` });
    if (fields.length) throw new SluiceError('VALIDATION_FAILED', fields.map((f) => `${f.path}: ${f.rule}`).join('; '), fields);
  }
}
