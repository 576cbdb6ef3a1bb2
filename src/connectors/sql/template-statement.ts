// sql_template as a prepared statement per record: the check-accepted template (see
// metadata/sql-statement.ts) with its values bound as parameters — named placeholders from the
// template engine, or RobustMQ's positional ones in RobustMQ's order — and, with enable_upsert,
// the conflict clause added after the template's own column list.
import type { Refusal } from '../batch-mapping.js';
import { recordJsonText } from '../record-json.js';
import type { SinkRecord } from '../sink.js';
import {
  hasConflictClause, insertColumns, parseColumnList, parseSqlTemplate, quoteIdentifier, type SqlDialect, type SqlTemplate,
} from '../../metadata/sql-statement.js';
import { TemplateScope, variableValue, type TemplateValue } from '../../metadata/template.js';

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface TemplateStatement {
  sql: string;
  bind(record: SinkRecord): unknown[] | Refusal;
}

export function compileTemplateStatement(source: string, dialect: SqlDialect, upsert?: { conflictColumns: string }): TemplateStatement {
  const parsed = parseSqlTemplate(source, dialect);
  if ('error' in parsed) throw new Error(`sql_template ${parsed.error}`);
  const t = parsed.template;
  const sql = upsert ? withUpsert(t.sql, dialect, parseColumnList(upsert.conflictColumns)) : t.sql;
  return { sql, bind: t.kind === 'positional' ? positionalBinder(dialect) : namedBinder(t) };
}

function positionalBinder(dialect: SqlDialect): (r: SinkRecord) => unknown[] {
  // RobustMQ binds (client_id, topic, timestamp, payload, data) / (record_key, payload, timestamp),
  // timestamps in seconds. MQTT does not give a subscriber the publisher's client id, so the
  // record id takes the key's place; mysql's payload is the record's JSON, as RobustMQ's is.
  if (dialect === 'postgres') return (r) => [r.id, r.topic, Math.floor(r.timestamp / 1000), r.payload.toString('utf8'), r.payload];
  return (r) => [r.id, recordJsonText(r), Math.floor(r.timestamp / 1000)];
}

function namedBinder(t: Extract<SqlTemplate, { kind: 'named' }>): (r: SinkRecord) => unknown[] | Refusal {
  return (record) => {
    const scope = new TemplateScope(record);
    const params: unknown[] = [];
    for (const v of t.variables) {
      const value = variableValue(v.variable, scope);
      if (value !== undefined) params.push(param(value, scope));
      else if (v.fallback !== undefined) params.push(v.fallback);
      else return { error: `sql_template: ${v.source} has no value for this message (topic "${record.topic.slice(0, 200)}")` };
    }
    return params;
  };
}

/** A value as a parameter: the payload as text when it is UTF-8 (else its bytes), JSON structures as JSON text. */
function param(v: TemplateValue, scope: TemplateScope): unknown {
  if (Buffer.isBuffer(v)) return v === scope.record.payload ? (scope.text ?? v) : v;
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

export function withUpsert(sql: string, dialect: SqlDialect, conflict: readonly string[]): string {
  if (hasConflictClause(sql, dialect)) return sql;
  const cols = insertColumns(sql);
  if (cols === undefined) throw new Error('sql_template with enable_upsert must be INSERT INTO <table> (<columns>) VALUES (…)');
  return `${sql.trimEnd().replace(/;$/, '')} ${upsertClause(cols, conflict, dialect)}`;
}

/** ON CONFLICT … DO UPDATE / ON DUPLICATE KEY UPDATE setting every column outside the conflict key. */
export function upsertClause(columns: readonly string[], conflict: readonly string[], dialect: SqlDialect): string {
  const key = new Set(conflict.map((c) => c.toLowerCase()));
  const rest = columns.filter((c) => !key.has(c.toLowerCase()));
  const q = (c: string): string => quoteIdentifier(c, dialect);
  if (dialect === 'postgres') {
    const target = `ON CONFLICT (${conflict.map(q).join(', ')})`;
    return rest.length === 0 ? `${target} DO NOTHING` : `${target} DO UPDATE SET ${rest.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ')}`;
  }
  const set = (rest.length === 0 ? [columns[0] as string] : rest).map((c) => `${q(c)} = VALUES(${q(c)})`);
  return `ON DUPLICATE KEY UPDATE ${set.join(', ')}`;
}
