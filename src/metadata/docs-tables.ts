// Renders the generated tables of docs/en and docs/zh from their single sources: the registry
// and config schemas, the failure strategy and delivery schemas, ERROR_CODES and ENVIRONMENT.
// Pure functions; scripts/gen-docs.ts writes the files and test/docs.test.ts compares them.
import type { TObject } from 'typebox';
import { ERROR_CODES } from '../errors.js';
import { ENVIRONMENT } from '../settings.js';
import type { ConnectorType } from './connector-type.js';
import { DeliverySchema } from './delivery.js';
import { FailureStrategySchema } from './failure-strategy.js';
import { connectorTypes } from './registry.js';
import { isSecretSchema } from './schema-kit.js';

export type DocLang = 'en' | 'zh';
export const DOC_LANGS: readonly DocLang[] = ['en', 'zh'];

type Node = Record<string, unknown>;
type Words = Record<'field' | 'type' | 'required' | 'default' | 'range' | 'secret' | 'description' | 'yes' | 'no' | 'enum' | 'arrayOf' | 'object' | 'length' | 'items' | 'entries' | 'each' | 'value' | 'listSep' | 'partSep' | 'open' | 'close', string>;

const WORDS: Record<DocLang, Words> = {
  en: { field: 'Field', type: 'Type', required: 'Required', default: 'Default', range: 'Range / limits', secret: 'Secret', description: 'Description', yes: 'yes', no: 'no', enum: 'enum: ', arrayOf: 'array of ', object: 'object', length: 'length ', items: ' items', entries: ' entries', each: 'each: ', value: 'value: ', listSep: ', ', partSep: '; ', open: ' (', close: ')' },
  zh: { field: '字段', type: '类型', required: '必填', default: '默认值', range: '取值范围', secret: '密钥', description: '说明', yes: '是', no: '否', enum: '枚举：', arrayOf: '数组，元素为 ', object: '对象', length: '长度 ', items: ' 项', entries: ' 项', each: '每项', value: '值', listSep: '、', partSep: '；', open: '（', close: '）' },
};

function code(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

/** One table cell: one line, `|` escaped, and `<`/`>` outside code spans kept from reading as HTML. */
function cell(text: string): string {
  const parts = text.replace(/\r?\n/g, ' ').split(/(`+[^`]*`+)/);
  return parts.map((p, i) => (i % 2 === 1 ? p : p.replace(/</g, '&lt;').replace(/>/g, '&gt;'))).join('').replace(/\|/g, '\\|');
}

/** `3600000` → `3,600,000`, the same on every machine (no locale data involved). */
function num(n: unknown): string {
  const [whole = '', fraction] = String(n).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

function span(min: unknown, max: unknown): string {
  if (min !== undefined && max !== undefined) return `${num(min)}–${num(max)}`;
  if (min !== undefined) return `≥ ${num(min)}`;
  return max !== undefined ? `≤ ${num(max)}` : '';
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function mapValue(node: Node): Node | undefined {
  const patterns = node.patternProperties as Record<string, Node> | undefined;
  if (patterns) return Object.values(patterns)[0];
  return typeof node.additionalProperties === 'object' ? (node.additionalProperties as Node) : undefined;
}

function typeOf(node: Node, w: Words): string {
  if (Array.isArray(node.enum)) return w.enum + node.enum.map((v) => code(String(v))).join(w.listSep);
  if (Array.isArray(node.anyOf)) return (node.anyOf as Node[]).map((n) => typeOf(n, w)).join(' | ');
  if (node.type === 'array') return w.arrayOf + typeOf((node.items as Node | undefined) ?? {}, w);
  if (node.type === 'object') {
    const value = mapValue(node);
    return value ? `${w.object}${w.open}string → ${typeOf(value, w)}${w.close}` : w.object;
  }
  return typeof node.type === 'string' ? node.type : 'any';
}

function limitsOf(node: Node, w: Words): string {
  const parts: string[] = [];
  const numeric = span(node.minimum, node.maximum);
  if (numeric) parts.push(numeric);
  const length = span(node.minLength, node.maxLength);
  if (length) parts.push(w.length + length);
  const items = span(node.minItems, node.maxItems);
  if (items) parts.push(items + w.items);
  const entries = span(node.minProperties, node.maxProperties);
  if (entries) parts.push(entries + w.entries);
  if (typeof node['x-rule'] === 'string') parts.push(node['x-rule']);
  else if (typeof node.pattern === 'string') parts.push(`pattern ${code(node.pattern)}`);
  const inner = node.type === 'array' ? (node.items as Node | undefined) : node.type === 'object' ? mapValue(node) : undefined;
  const innerLimits = inner ? limitsOf(inner, w) : '';
  if (innerLimits) parts.push((node.type === 'array' ? w.each : w.value) + innerLimits);
  return parts.join(w.partSep) || '—';
}

function defaultOf(node: Node): string {
  if (!('default' in node)) return '—';
  const v = node.default;
  return code(typeof v === 'string' ? (v === '' ? '""' : v) : JSON.stringify(v));
}

/** One row per top-level field of `schema`; the secret column only when `withSecret`. */
export function renderSchemaTable(schema: TObject, lang: DocLang, withSecret = true): string {
  const w = WORDS[lang];
  const required = new Set(schema.required ?? []);
  const header = [w.field, w.type, w.required, w.default, w.range, ...(withSecret ? [w.secret] : []), w.description];
  const rows = Object.entries(schema.properties).map(([name, raw]) => {
    const node = raw as unknown as Node;
    const isRequired = required.has(name) && !('default' in node);
    const secret = isSecretSchema(node) || node.writeOnly === true;
    return [code(name), typeOf(node, w), isRequired ? w.yes : w.no, defaultOf(node), limitsOf(node, w), ...(withSecret ? [secret ? w.yes : w.no] : []), typeof node.description === 'string' ? node.description : ''];
  });
  return table(header, rows);
}

export function renderErrorTable(lang: DocLang): string {
  const header = lang === 'en' ? ['Error', 'HTTP status', 'Code', 'Meaning'] : ['错误', 'HTTP 状态码', '数值码', '含义'];
  return table(header, Object.entries(ERROR_CODES).map(([name, e]) => [code(name), String(e.status), String(e.code), e.summary]));
}

/** A default that is a literal value is shown as code; one that is a sentence as text. */
function envDefault(value: string): string {
  if (value === '') return '—';
  return /\s/.test(value) ? value : code(value);
}

export function renderEnvTable(lang: DocLang): string {
  const header = lang === 'en' ? ['Variable', 'Default', 'Description'] : ['变量', '默认值', '说明'];
  return table(header, ENVIRONMENT.map(([name, description, fallback]) => [code(name), envDefault(fallback), description]));
}

export function renderTypeIndex(lang: DocLang): string {
  const header = lang === 'en' ? ['Type', 'Target', 'What it does'] : ['类型', '目标系统', '作用'];
  return table(header, connectorTypes().map((t) => [`[${code(t.name)}](connectors/${t.name}.md)`, t.title, t.description]));
}

export interface GeneratedRegion {
  /** page path under docs/<lang>/ */
  page: string;
  /** the `<what>` of the markers */
  name: string;
  /** the file the table comes from, named in the generated note */
  source: string;
  render(lang: DocLang): string;
}

export function configSource(type: ConnectorType): string {
  return `src/metadata/configs/${type.name}.ts`;
}

export function generatedRegions(): GeneratedRegion[] {
  return [
    { page: 'overview.md', name: 'connector-types', source: 'src/metadata/registry.ts', render: renderTypeIndex },
    ...connectorTypes().map((t) => ({ page: `connectors/${t.name}.md`, name: `config:${t.name}`, source: configSource(t), render: (lang: DocLang) => renderSchemaTable(t.schema, lang) })),
    { page: 'failure-strategies.md', name: 'failure-strategy', source: 'src/metadata/failure-strategy.ts', render: (lang) => renderSchemaTable(FailureStrategySchema, lang, false) },
    { page: 'delivery.md', name: 'delivery', source: 'src/metadata/delivery.ts', render: (lang) => renderSchemaTable(DeliverySchema, lang, false) },
    { page: 'admin-api.md', name: 'error-codes', source: 'src/errors.ts', render: renderErrorTable },
    { page: 'cli.md', name: 'env-vars', source: 'src/settings.ts', render: renderEnvTable },
  ];
}

/** What goes between the markers: the note naming the source, then the table. */
export function regionBody(region: GeneratedRegion, lang: DocLang): string {
  const note =
    lang === 'en'
      ? `_Generated by \`npm run docs\` from \`${region.source}\`. Edit the source, not this table._`
      : `_本表由 \`npm run docs\` 根据 \`${region.source}\` 生成。请修改源文件，不要手工编辑本表。_`;
  return `${note}\n\n${region.render(lang)}`;
}

const begin = (name: string) => `<!-- BEGIN GENERATED: ${name} -->`;
const end = (name: string) => `<!-- END GENERATED: ${name} -->`;

function bounds(text: string, name: string): { from: number; to: number } | undefined {
  const b = text.indexOf(begin(name));
  if (b < 0) return undefined;
  if (text.indexOf(begin(name), b + 1) >= 0) throw new Error(`marker ${begin(name)} appears twice`);
  const e = text.indexOf(end(name), b);
  if (e < 0) throw new Error(`marker ${begin(name)} has no ${end(name)} after it`);
  return { from: b + begin(name).length, to: e };
}

/** The text between the markers of `name` without the surrounding newlines, or undefined without markers. */
export function extractRegion(text: string, name: string): string | undefined {
  const r = bounds(text, name);
  return r ? text.slice(r.from, r.to).replace(/^\n/, '').replace(/\n$/, '') : undefined;
}

/** Replaces the text between the markers of `name`; throws when the page has no such markers. */
export function replaceRegion(text: string, name: string, body: string): string {
  const r = bounds(text, name);
  if (!r) throw new Error(`no ${begin(name)} marker`);
  return `${text.slice(0, r.from)}\n${body}\n${text.slice(r.to)}`;
}

/** A first page for a connector type that has none yet: a heading, its description and the table. */
export function connectorPageStub(type: ConnectorType, lang: DocLang): string {
  const configHeading = lang === 'en' ? '## Configuration' : '## 配置';
  return `# ${type.title} (\`${type.name}\`)\n\n${type.description}\n\n${configHeading}\n\n${begin(`config:${type.name}`)}\n${end(`config:${type.name}`)}\n`;
}
