// Pure analysis of the SQL the postgres and mysql types take: identifiers (validated, then
// quoted), and `sql_template` — either named placeholders of the template engine (`${topic}`),
// bound as statement parameters, or RobustMQ's positional form (`$1`..`$5` / `?`). Config checks
// and both sinks use it, so a template the check accepts is exactly what the sink runs.
import { parseTemplate, type Template } from './template.js';

export type SqlDialect = 'postgres' | 'mysql';

export const IDENTIFIER_PATTERN = '[A-Za-z_][A-Za-z0-9_]*';
const IDENTIFIER = new RegExp(`^${IDENTIFIER_PATTERN}$`);
/** `table` or `schema.table` (RobustMQ allows the dot for the schema) */
export const TABLE_PATTERN = `^${IDENTIFIER_PATTERN}(\\.${IDENTIFIER_PATTERN})?$`;
/** `a, b, c`: what conflict_columns holds */
export const COLUMN_LIST_PATTERN = `^\\s*${IDENTIFIER_PATTERN}(\\s*,\\s*${IDENTIFIER_PATTERN})*\\s*$`;
const MAX_IDENTIFIER = 63;

/**
 * A quoted identifier. PostgreSQL folds unquoted names to lower case, and RobustMQ writes them
 * unquoted: the postgres name is folded first, so `Messages` means the table RobustMQ writes to.
 */
export function quoteIdentifier(name: string, dialect: SqlDialect): string {
  if (!IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER) throw new Error(`"${name}" is not a plain identifier (a letter or _, then letters, digits or _, at most ${MAX_IDENTIFIER})`);
  return dialect === 'postgres' ? `"${name.toLowerCase()}"` : `\`${name}\``;
}

export interface TableName {
  schema?: string;
  table: string;
}

export function parseTableName(name: string): TableName {
  const [a, b] = name.split('.');
  return b === undefined ? { table: a as string } : { schema: a as string, table: b };
}

export function quoteTable(name: string, dialect: SqlDialect): string {
  const t = parseTableName(name);
  return t.schema === undefined ? quoteIdentifier(t.table, dialect) : `${quoteIdentifier(t.schema, dialect)}.${quoteIdentifier(t.table, dialect)}`;
}

export function parseColumnList(list: string): string[] {
  return list.split(',').map((c) => c.trim()).filter((c) => c.length > 0);
}

/**
 * The SQL with every quoted string, quoted identifier and comment blanked out (same length), so
 * that placeholders are only looked for in the statement's own text.
 */
export function blankQuoted(sql: string, dialect: SqlDialect): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const end = quotedEnd(sql, i, dialect);
    if (end === undefined) {
      out += sql[i];
      i++;
    } else {
      out += ' '.repeat(end - i);
      i = end;
    }
  }
  return out;
}

/** Where a quoted region or comment starting at `i` ends (exclusive), or undefined when none starts there. */
function quotedEnd(sql: string, i: number, dialect: SqlDialect): number | undefined {
  const c = sql[i];
  const next = sql[i + 1];
  if (c === "'" || c === '"' || (c === '`' && dialect === 'mysql')) return closeQuote(sql, i, c, dialect === 'mysql' && c !== '`');
  if ((c === '-' && next === '-') || (c === '#' && dialect === 'mysql')) {
    const nl = sql.indexOf('\n', i);
    return nl < 0 ? sql.length : nl;
  }
  if (c === '/' && next === '*') {
    const close = sql.indexOf('*/', i + 2);
    return close < 0 ? sql.length : close + 2;
  }
  if (c === '$' && dialect === 'postgres') {
    const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
    if (!tag) return undefined;
    const close = sql.indexOf(tag[0], i + tag[0].length);
    return close < 0 ? sql.length : close + tag[0].length;
  }
  return undefined;
}

function closeQuote(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

/** The positional parameters RobustMQ binds, in its order: postgres `$1..$5`, mysql `?` ×3. */
export const POSITIONAL_BINDS: Record<SqlDialect, readonly string[]> = {
  postgres: ['client_id', 'topic', 'timestamp', 'payload', 'data'],
  mysql: ['record_key', 'payload', 'timestamp'],
};

export type SqlTemplate =
  | { kind: 'named'; /** the statement with `$n` / `?` in place of each variable */ sql: string; variables: Extract<Template['parts'][number], { kind: 'variable' }>[] }
  | { kind: 'positional'; sql: string };

const MARK = '\u0001';

/** Parses `sql_template`: the statement and how its values are bound, or the rule it breaks. */
export function parseSqlTemplate(source: string, dialect: SqlDialect): { template: SqlTemplate } | { error: string } {
  const parsed = parseTemplate(source);
  if ('error' in parsed) return { error: parsed.error };
  const variables = parsed.template.parts.filter((p) => p.kind === 'variable');
  if (source.includes(MARK)) return { error: 'contains a control character U+0001' };
  const marked = parsed.template.parts.map((p) => (p.kind === 'text' ? p.text : MARK)).join('');
  const code = blankQuoted(marked, dialect);
  const positional = positionalCount(code, dialect);
  if (variables.length === 0) {
    const want = POSITIONAL_BINDS[dialect].length;
    if (dialect === 'postgres') {
      const seen = [...new Set([...code.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
      if (seen.join(',') !== '1,2,3,4,5') return { error: `needs placeholders: named ones such as \${topic}, or RobustMQ's positional $1..$5 (bound as ${POSITIONAL_BINDS.postgres.join(', ')}); found ${seen.length === 0 ? 'none' : seen.map((n) => `$${n}`).join(', ')}` };
    } else if (positional !== want) {
      return { error: `needs placeholders: named ones such as \${topic}, or RobustMQ's positional ? ×3 (bound as ${POSITIONAL_BINDS.mysql.join(', ')}); found ${positional} ?` };
    }
    return { template: { kind: 'positional', sql: source } };
  }
  if (positional > 0) return { error: `mixes named placeholders (\${…}) with positional ones (${dialect === 'postgres' ? '$N' : '?'}): use one form` };
  const inCode = [...code].filter((c) => c === MARK).length;
  if (inCode !== variables.length) return { error: 'has a placeholder inside quotes or a comment: write ${…} bare, it is bound as a parameter (not pasted into the text)' };
  let n = 0;
  const sql = marked.replace(new RegExp(MARK, 'g'), () => (dialect === 'postgres' ? `$${++n}` : '?'));
  return { template: { kind: 'named', sql, variables } };
}

function positionalCount(code: string, dialect: SqlDialect): number {
  return dialect === 'postgres' ? [...code.matchAll(/\$\d+/g)].length : [...code].filter((c) => c === '?').length;
}

/** The columns of `INSERT INTO t (a, b) VALUES …`, for the upsert clause; undefined for any other shape. */
export function insertColumns(sql: string): string[] | undefined {
  const m = /^\s*INSERT\s+(?:IGNORE\s+)?INTO\s+[^\s(]+\s*\(([^)]*)\)\s*VALUES\b/i.exec(sql);
  if (!m) return undefined;
  const cols = parseColumnList(m[1] ?? '').map((c) => c.replace(/^["`]|["`]$/g, ''));
  return cols.length > 0 && cols.every((c) => IDENTIFIER.test(c)) ? cols : undefined;
}

/** Whether the statement already says what happens on a conflict (then upsert adds nothing). */
export function hasConflictClause(sql: string, dialect: SqlDialect): boolean {
  const code = blankQuoted(sql, dialect);
  return dialect === 'postgres' ? /\bON\s+CONFLICT\b/i.test(code) : /\bON\s+DUPLICATE\s+KEY\s+UPDATE\b/i.test(code);
}
