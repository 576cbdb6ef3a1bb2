// One implementation behind both API surfaces (RobustMQ-compatible and /api/v1) and the CLI.
import { SluiceError } from '../errors.js';
import { buildDefinition, type ConnectorDefinition, type DefinitionContent, type DefinitionInput } from '../metadata/definition.js';
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

/** a change without a revision re-applies itself this often on concurrent changes before giving up */
const MAX_CHANGE_ATTEMPTS = 1000;

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
    return { items: r.items.map((d) => this.view(d)), total: r.total };
  }

  /** The redacted definition with the live state the runtime reports (null when it does not run it). */
  private view(def: ConnectorDefinition): ConnectorView {
    return toView(def, this.runtime?.status(def.tenant, def.name)?.state ?? null);
  }

  async definition(tenant: string, name: string): Promise<ConnectorDefinition> {
    const def = await this.store.get(tenant, name);
    if (!def) throw new SluiceError('NOT_FOUND', `connector ${tenant}/${name} does not exist`);
    return def;
  }

  async get(tenant: string, name: string): Promise<ConnectorView> {
    return this.view(await this.definition(tenant, name));
  }

  async create(input: DefinitionInput): Promise<ConnectorView> {
    const content = buildDefinition(input);
    const def = await this.store.create(content);
    await this.runtime?.apply({ kind: 'created', definition: def });
    return this.view(def);
  }

  /**
   * PUT: the body is the whole definition; tenant and name come from the URL. An absent
   * `desired_state` keeps the stored one (pausing and resuming is not part of the config).
   */
  async replace(tenant: string, name: string, input: DefinitionInput, expectedRevision?: number): Promise<ConnectorView> {
    this.checkIdentity(tenant, name, input);
    return this.change(tenant, name, expectedRevision, (previous) => buildDefinition({ ...input, tenant, name, desired_state: input.desired_state ?? previous.desired_state }, previous));
  }

  /**
   * PATCH: merge-patches the stored definition (config, failure_strategy and delivery merge key
   * by key); fields it does not name keep their stored value.
   */
  async patch(tenant: string, name: string, patch: Record<string, unknown>, expectedRevision?: number): Promise<ConnectorView> {
    this.checkIdentity(tenant, name, patch);
    let config = patch.config;
    if (typeof config === 'string') {
      try {
        config = JSON.parse(config) as unknown;
      } catch {
        /* buildDefinition reports it with the field name */
      }
    }
    const changes = { ...patch, ...(config === undefined ? {} : { config }) };
    return this.change(tenant, name, expectedRevision, (previous) => {
      const merged = mergePatch({ ...previous }, changes) as DefinitionInput;
      return buildDefinition({ ...merged, tenant, name }, previous);
    });
  }

  async setDesiredState(tenant: string, name: string, desired: 'running' | 'paused'): Promise<ConnectorView> {
    return this.patch(tenant, name, { desired_state: desired });
  }

  /**
   * Reads the stored definition, builds the new content from it and stores it only if the stored
   * revision is still the one read. With `expectedRevision` (the caller's) a stale revision is a
   * CONFLICT; without it a concurrent change makes it read again and re-apply its change on top,
   * so two changes of different fields both survive.
   */
  private async change(tenant: string, name: string, expectedRevision: number | undefined, build: (previous: ConnectorDefinition) => DefinitionContent): Promise<ConnectorView> {
    for (let attempt = 1; ; attempt++) {
      const previous = await this.definition(tenant, name);
      if (expectedRevision !== undefined && previous.revision !== expectedRevision) {
        throw new SluiceError('CONFLICT', `connector ${tenant}/${name} is at revision ${previous.revision}, not ${expectedRevision}`);
      }
      const content = build(previous);
      try {
        const def = await this.store.update(content, previous.revision);
        await this.runtime?.apply({ kind: 'updated', definition: def, previous });
        return this.view(def);
      } catch (e) {
        const retry = expectedRevision === undefined && e instanceof SluiceError && e.code === 'CONFLICT' && attempt < MAX_CHANGE_ATTEMPTS;
        if (!retry) throw e;
      }
    }
  }

  async delete(tenant: string, name: string): Promise<ConnectorView> {
    const def = await this.store.delete(tenant, name);
    if (!def) throw new SluiceError('NOT_FOUND', `connector ${tenant}/${name} does not exist`);
    await this.runtime?.apply({ kind: 'deleted', definition: def });
    return this.view(def);
  }

  private checkIdentity(tenant: string, name: string, input: { tenant?: unknown; name?: unknown }): void {
    const fields = [];
    if (input.name !== undefined && input.name !== name) fields.push({ path: 'name', rule: `must match the URL (${name}); a connector cannot be renamed` });
    if (input.tenant !== undefined && input.tenant !== tenant) fields.push({ path: 'tenant', rule: `must match the tenant in the URL (${tenant})` });
    if (fields.length) throw new SluiceError('VALIDATION_FAILED', fields.map((f) => `${f.path}: ${f.rule}`).join('; '), fields);
  }
}
