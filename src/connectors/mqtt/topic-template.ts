// The target topic of a bridged message: `topic_prefix` joined with `/` to `topic_template` rendered by
// the shared template engine (src/metadata/template.ts). A rendered topic must be a valid topic
// *name*; when it is not, or a variable has no value, only that record fails.
import { compileTemplate, renderTemplate, type Template, type TemplateRecord } from '../../metadata/template.js';
import { topicNameError } from '../../metadata/topic.js';

export interface TopicTemplate {
  prefix: string;
  template: Template;
  /** the template as written, for messages */
  source: string;
}

export type RenderedTopic = { topic: string } | { error: string };

/** RobustMQ's join: a prefix's trailing `/`s are dropped and exactly one `/` separates it from the topic. */
export function joinedPrefix(prefix: string): string {
  return prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
}

export function compileTopicTemplate(prefix: string, template: string): TopicTemplate {
  return { prefix: joinedPrefix(prefix), template: compileTemplate(template), source: template };
}

/** True when every message goes back to the very topic it came from. */
export function isIdentity(t: TopicTemplate): boolean {
  const parts = t.template.parts;
  return t.prefix === '' && parts.length === 1 && parts[0]?.kind === 'variable' && parts[0].variable.kind === 'topic';
}

export function renderTopic(t: TopicTemplate, record: TemplateRecord): RenderedTopic {
  const rendered = renderTemplate(t.template, record);
  if ('error' in rendered) return { error: `topic_template: ${rendered.error}` };
  const out = t.prefix + rendered.text;
  const rule = topicNameError(out);
  if (rule) return { error: `target topic "${shorten(out)}" from topic_template ${t.source} and source topic "${shorten(record.topic)}" is not a valid topic name: it ${rule}` };
  return { topic: out };
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
