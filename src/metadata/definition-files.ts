// Connector definitions kept as files (YAML or JSON, one or many per file; a directory holds
// *.yaml, *.yml and *.json files). Used by `sluice apply` and by `sluice serve --connectors`.
// Errors name the file and the line and column, never quote the text (it may hold secrets).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, YAMLParseError } from 'yaml';

/** Fields a read returns that a definition file does not set (an export or `get --json` can be applied). */
export const READ_ONLY_FIELDS = ['created_at', 'updated_at', 'revision', 'state'] as const;
const EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface FileDefinition {
  /** `file` or `file#2` (the 2nd definition in it), for messages */
  source: string;
  tenant: string;
  name: string;
  body: Record<string, unknown>;
}

export class DefinitionFileError extends Error {
  override readonly name = 'DefinitionFileError';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
}

/** The files a path names: itself, or the definition files directly inside a directory (sorted). */
export function definitionFilesOf(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new DefinitionFileError(`${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => EXTENSIONS.some((ext) => f.toLowerCase().endsWith(ext)) && !f.startsWith('.'))
    .sort()
    .map((f) => join(path, f));
}

function parseJson(text: string, file: string): unknown[] {
  try {
    return [JSON.parse(text) as unknown];
  } catch (e) {
    const m = e instanceof Error ? /position (\d+)/.exec(e.message) : null;
    const offset = m ? Number(m[1]) : text.length;
    throw new DefinitionFileError(`${file}: not valid JSON at ${lineColumn(text, offset)}`);
  }
}

function parseYaml(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const where = error instanceof YAMLParseError ? lineColumn(text, error.pos[0]) : 'an unknown place';
      throw new DefinitionFileError(`${file}: not valid YAML at ${where} (${error.code})`);
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

/** A document is a definition, a list of them, or a connector list page (`items`). */
function definitionsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value) && Array.isArray(value.items) && value.name === undefined) return value.items as unknown[];
  return [value];
}

export function readDefinitionFile(file: string): FileDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DefinitionFileError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const documents = file.toLowerCase().endsWith('.json') ? parseJson(text, file) : parseYaml(text, file);
  const all = documents.flatMap(definitionsOf);
  return all.map((value, i) => {
    const source = all.length > 1 ? `${file}#${i + 1}` : file;
    if (!isObject(value)) throw new DefinitionFileError(`${source}: expected a connector definition (an object with name, type, topic_filter and config)`);
    if (typeof value.name !== 'string' || value.name === '') throw new DefinitionFileError(`${source}: name is required`);
    if (value.tenant !== undefined && typeof value.tenant !== 'string') throw new DefinitionFileError(`${source}: tenant must be a string`);
    const body = { ...value };
    for (const f of READ_ONLY_FIELDS) delete body[f];
    return { source, tenant: typeof value.tenant === 'string' ? value.tenant : 'default', name: value.name, body };
  });
}

/** Every definition under the given files and directories; a connector defined twice is an error. */
export function readDefinitions(paths: string[]): FileDefinition[] {
  const out: FileDefinition[] = [];
  const seen = new Map<string, string>();
  for (const file of paths.flatMap(definitionFilesOf)) {
    for (const d of readDefinitionFile(file)) {
      const key = `${d.tenant}/${d.name}`;
      const first = seen.get(key);
      if (first) throw new DefinitionFileError(`connector ${key} is defined twice: in ${first} and in ${d.source}`);
      seen.set(key, d.source);
      out.push(d);
    }
  }
  return out;
}
