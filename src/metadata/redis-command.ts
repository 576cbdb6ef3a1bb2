// A Redis command template: split into arguments first, then each argument is a template of the
// shared engine (template.ts). Splitting before substituting keeps a value with spaces (a JSON
// payload, a sentence) one argument; RobustMQ substitutes first and splits after, so its
// `SET k ${payload}` breaks a payload with a space into several arguments. The list form
// (`["SET", "k", "${payload}"]`) takes each element as one argument, unsplit.
//
// The text form splits on whitespace outside `${…}` and outside double quotes; `"a b"` is one
// argument `a b`, and `\"` / `\\` inside quotes are a quote and a backslash. RobustMQ's API docs
// write placeholders without the dollar (`LPUSH list {payload}`): `{payload}`, `{topic}` and
// `{timestamp}` read as `${payload}`, `${topic}` and `${timestamp}`.
import { parseTemplate, type Template } from './template.js';

export interface RedisCommand {
  /** the command name, upper-cased (fixed text: a variable cannot choose the command) */
  name: string;
  /** every argument after the name, each a template */
  args: readonly Template[];
  /** RobustMQ's `${key}` / `${client_id}` as written, which render as '' (see ROBUSTMQ_KEY) */
  emptyVariables: readonly string[];
}

const BARE_PLACEHOLDER = /(?<!\$)\{(payload|topic|timestamp)\}/g;

// RobustMQ's `${key}` and `${client_id}` read the message key of its storage record, which a
// published MQTT message does not have: RobustMQ renders them as ''. Sluice's records carry no
// key either, so they render as '' here too (or as their `:-fallback`), and the sink warns.
const ROBUSTMQ_KEY = /\$\{\s*(key|client_id)\s*(?::-([^}]*))?\}/g;

/** RobustMQ's `{payload}` form as the engine's `${payload}`. */
export function normalizePlaceholders(source: string): string {
  return source.replace(BARE_PLACEHOLDER, '$${$1}');
}

/** Splits the text form into raw arguments; the error says what is malformed. */
export function splitCommandText(source: string): { args: string[] } | { error: string } {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quoted = false;
  let depth = 0; // inside ${…}
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (depth > 0) {
      current += c;
      if (c === '}') depth = 0;
      continue;
    }
    if (quoted) {
      if (c === '\\' && (source[i + 1] === '"' || source[i + 1] === '\\')) {
        current += source[++i];
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '$' && source[i + 1] === '{') depth = 1;
        current += c;
      }
      continue;
    }
    if (/\s/.test(c)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
      continue;
    }
    inArg = true;
    if (c === '"') quoted = true;
    else {
      if (c === '$' && source[i + 1] === '{') depth = 1;
      current += c;
    }
  }
  if (quoted) return { error: 'has an unclosed double quote' };
  if (depth > 0) return { error: 'has an unclosed ${' };
  if (inArg) args.push(current);
  return { args };
}

/** Parses either form; the error names the argument and the rule it breaks. */
export function parseRedisCommand(template: string | readonly string[]): { command: RedisCommand } | { error: string } {
  let raw: string[];
  if (typeof template === 'string') {
    const split = splitCommandText(normalizePlaceholders(template));
    if ('error' in split) return split;
    raw = split.args;
  } else {
    raw = template.map(normalizePlaceholders);
  }
  if (raw.length === 0) return { error: 'is empty: expected a command and its arguments, e.g. LPUSH mqtt:messages ${payload}' };
  const [name, ...rest] = raw as [string, ...string[]];
  if (name.includes('${')) return { error: `the command name ${JSON.stringify(name)} must be fixed text, not a variable` };
  if (!/^[A-Za-z][A-Za-z0-9_.|-]*$/.test(name)) return { error: `the command name ${JSON.stringify(name)} is not a Redis command name` };
  const args: Template[] = [];
  const emptyVariables: string[] = [];
  for (const [i, written] of rest.entries()) {
    const source = written.replace(ROBUSTMQ_KEY, (m: string, _name: string, fallback?: string) => {
      emptyVariables.push(m);
      return fallback ?? '';
    });
    const parsed = parseTemplate(source);
    if ('error' in parsed) return { error: `argument ${i + 1} (${JSON.stringify(source)}) ${parsed.error}` };
    args.push(parsed.template);
  }
  return { command: { name: name.toUpperCase(), args, emptyVariables } };
}
