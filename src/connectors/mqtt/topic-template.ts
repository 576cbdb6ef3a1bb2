// The target topic of a bridged message: `topic_prefix` followed by `topic_template` rendered for
// the source topic. `${topic}` is the whole source topic, `${topic[N]}` its N-th level counted
// from 0 (`${topic[-1]}` is the last level). Pure: no client library, so the config schema uses
// it too. A rendered topic must be a valid topic *name*; when it is not, only that record fails.
import { topicNameError } from '../../metadata/topic.js';

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'topic' } | { kind: 'level'; index: number };

export interface TopicTemplate {
  prefix: string;
  parts: TemplatePart[];
  /** the template as written, for messages */
  source: string;
}

export type Rendered = { topic: string } | { error: string };

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const LEVEL = /^topic\[(-?\d{1,5})\]$/;

/** Splits a template into parts; the error names the first placeholder it does not know. */
export function parseTemplate(template: string): { parts: TemplatePart[] } | { error: string } {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const at = m.index;
    if (at > last) parts.push({ kind: 'text', text: template.slice(last, at) });
    const inner = (m[1] ?? '').trim();
    const level = LEVEL.exec(inner);
    if (inner === 'topic') parts.push({ kind: 'topic' });
    else if (level) parts.push({ kind: 'level', index: Number(level[1]) });
    else return { error: `unknown placeholder ${m[0]}: use \${topic} or \${topic[N]}` };
    last = at + m[0].length;
  }
  const rest = template.slice(last);
  if (rest.includes('${')) return { error: 'has an unclosed ${' };
  if (rest.length > 0) parts.push({ kind: 'text', text: rest });
  return { parts };
}

/**
 * Rules that hold whatever the source topic is: the template parses, and the fixed text of prefix
 * and template has no wildcard or NUL (source topics never do, so only fixed text can add one).
 * Returns `[field, rule]` pairs for the config check.
 */
export function templateConfigErrors(prefix: string, template: string): [field: 'topic_prefix' | 'topic_template', rule: string][] {
  const errors: [field: 'topic_prefix' | 'topic_template', rule: string][] = [];
  const fixedRule = (text: string): string | undefined => {
    if (/[+#]/.test(text)) return 'must not contain the wildcards + or #';
    if (text.includes('\u0000')) return 'must not contain a NUL character';
    return undefined;
  };
  const p = fixedRule(prefix);
  if (p) errors.push(['topic_prefix', p]);
  const parsed = parseTemplate(template);
  if ('error' in parsed) errors.push(['topic_template', parsed.error]);
  else {
    const text = parsed.parts.map((x) => (x.kind === 'text' ? x.text : '')).join('');
    const t = fixedRule(text);
    if (t) errors.push(['topic_template', t]);
  }
  return errors;
}

export function compileTopicTemplate(prefix: string, template: string): TopicTemplate {
  const parsed = parseTemplate(template);
  if ('error' in parsed) throw new Error(`topic_template ${parsed.error}`);
  return { prefix, parts: parsed.parts, source: template };
}

/** True when every message goes back to the very topic it came from. */
export function isIdentity(t: TopicTemplate): boolean {
  return t.prefix === '' && t.parts.length === 1 && t.parts[0]?.kind === 'topic';
}

export function renderTopic(t: TopicTemplate, sourceTopic: string): Rendered {
  let levels: string[] | undefined;
  let out = t.prefix;
  for (const part of t.parts) {
    if (part.kind === 'text') out += part.text;
    else if (part.kind === 'topic') out += sourceTopic;
    else {
      levels ??= sourceTopic.split('/');
      const i = part.index < 0 ? levels.length + part.index : part.index;
      const level = levels[i];
      if (level === undefined) {
        return { error: `topic_template ${t.source}: the source topic "${sourceTopic}" has no level ${part.index} (it has ${levels.length}, counted from 0)` };
      }
      out += level;
    }
  }
  const rule = topicNameError(out);
  if (rule) return { error: `target topic "${shorten(out)}" from topic_template ${t.source} and source topic "${shorten(sourceTopic)}" is not a valid topic name: it ${rule}` };
  return { topic: out };
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
