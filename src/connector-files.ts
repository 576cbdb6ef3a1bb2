// `sluice serve --connectors DIR|FILE`: the definitions in the files are applied at start and on
// SIGHUP. Files win for the connectors they define: one changed through the API meanwhile is set
// back to its file (logged with the paths that differed). Connectors the files do not name are
// left alone, and a file that is removed deletes nothing: removing is explicit (API or
// `sluice apply --prune`).
import { buildDefinition, type ConnectorDefinition, type DefinitionContent } from './metadata/definition.js';
import { readDefinitions } from './metadata/definition-files.js';
import type { ConnectorService } from './admin/connector-service.js';
import { isSluiceError } from './errors.js';
import type { Logger } from './core/logger.js';

export interface FileApplyReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** `tenant/name (source): message` of each definition that could not be applied */
  failed: string[];
}

const CONTENT_FIELDS = ['tenant', 'name', 'type', 'config', 'topic_filter', 'failure_strategy', 'delivery', 'transform', 'desired_state', 'description'] as const;

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The top-level fields where `next` differs from what is stored (values are never logged). */
export function differingFields(stored: ConnectorDefinition, next: DefinitionContent): string[] {
  return CONTENT_FIELDS.filter((f) => canonical(stored[f]) !== canonical(next[f]));
}

async function storedDefinition(service: ConnectorService, tenant: string, name: string): Promise<ConnectorDefinition | undefined> {
  try {
    return await service.definition(tenant, name);
  } catch (e) {
    if (isSluiceError(e) && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

/** Reads every file (a file that does not parse throws, naming it) and applies each definition. */
export async function applyConnectorFiles(service: ConnectorService, paths: string[], log: Logger): Promise<FileApplyReport> {
  const files = readDefinitions(paths);
  const report: FileApplyReport = { created: [], updated: [], unchanged: [], failed: [] };
  for (const f of files) {
    const key = `${f.tenant}/${f.name}`;
    const input = { ...f.body, tenant: f.tenant };
    try {
      const stored = await storedDefinition(service, f.tenant, f.name);
      if (!stored) {
        await service.create(input);
        report.created.push(key);
        continue;
      }
      const changed = differingFields(stored, buildDefinition(input, stored));
      if (changed.length === 0) {
        report.unchanged.push(key);
        continue;
      }
      await service.replace(f.tenant, f.name, input, stored.revision);
      report.updated.push(key);
      log.warn({ connector: key, file: f.source, fields: changed.join(',') }, `connector ${key} set to its definition file (it differed in ${changed.join(', ')})`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      report.failed.push(`${key} (${f.source}): ${message}`);
      log.error({ connector: key, file: f.source }, `connector ${key} from ${f.source} not applied: ${message}`);
    }
  }
  log.info({ files: paths.join(','), created: report.created.length, updated: report.updated.length, unchanged: report.unchanged.length, failed: report.failed.length }, 'connector files applied');
  return report;
}
