// One record → the arguments of its Redis command. An argument that is exactly one variable
// passes the value itself: `${payload}` its bytes (any bytes, UTF-8 or not), a JSON field its
// text or its JSON; an argument with text around variables renders as text.
import { type RedisCommand } from '../../metadata/redis-command.js';
import { renderTemplate, TemplateScope, valueText, variableValue, type Template } from '../../metadata/template.js';
import type { Refusal } from '../batch-mapping.js';
import type { SinkRecord } from '../sink.js';

export type RedisArg = string | Buffer;

function argValue(t: Template, scope: TemplateScope): RedisArg | Refusal {
  const only = t.parts.length === 1 ? t.parts[0] : undefined;
  if (only?.kind === 'variable') {
    const value = variableValue(only.variable, scope);
    if (Buffer.isBuffer(value)) return value;
    const text = value === undefined ? undefined : valueText(value, scope);
    if (text !== undefined) return text;
  }
  const rendered = renderTemplate(t, scope);
  return 'text' in rendered ? rendered.text : rendered;
}

/** The command's arguments for one record, or why the record has none. */
export function commandArgs(command: RedisCommand, record: SinkRecord): RedisArg[] | Refusal {
  const scope = new TemplateScope(record);
  const out: RedisArg[] = [];
  for (const t of command.args) {
    const v = argValue(t, scope);
    if (typeof v === 'object' && !Buffer.isBuffer(v)) return v;
    out.push(v);
  }
  return out;
}
