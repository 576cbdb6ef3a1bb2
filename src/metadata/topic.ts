// MQTT topic name and topic filter rules (MQTT 3.1.1 §4.7, MQTT 5 §4.7 and §4.8.2).

const MAX_TOPIC_BYTES = 65535;

function basicRule(topic: string): string | undefined {
  if (topic.length === 0) return 'must not be empty';
  if (topic.includes('\u0000')) return 'must not contain a NUL character';
  if (Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) return `must be at most ${MAX_TOPIC_BYTES} bytes of UTF-8`;
  if (/[\uD800-\uDFFF]/.test(topic.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) return 'must be valid UTF-8 (no lone surrogates)';
  return undefined;
}

/** Returns why `topic` is not a valid topic *name* (no wildcards), or undefined when it is. */
export function topicNameError(topic: string): string | undefined {
  const basic = basicRule(topic);
  if (basic) return basic;
  if (topic.includes('+') || topic.includes('#')) return 'must not contain the wildcards + or #';
  return undefined;
}

/** Returns why `filter` is not a valid topic *filter*, or undefined when it is. `$share/<group>/<filter>` is allowed. */
export function topicFilterError(filter: string): string | undefined {
  const basic = basicRule(filter);
  if (basic) return basic;
  let rest = filter;
  if (filter.startsWith('$share/')) {
    const parts = filter.split('/');
    const group = parts[1] ?? '';
    if (group.length === 0 || /[+#]/.test(group)) return 'a shared subscription needs $share/<group>/<filter> with a group free of +, #';
    if (parts.length < 3) return 'a shared subscription needs $share/<group>/<filter>';
    rest = parts.slice(2).join('/');
    if (rest.length === 0) return 'a shared subscription needs a non-empty filter after $share/<group>/';
  }
  const levels = rest.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] ?? '';
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '# must be a whole level and the last one';
    if (level.includes('+') && level !== '+') return '+ must be a whole level';
  }
  return undefined;
}
