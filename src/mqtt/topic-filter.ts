// MQTT topic filter matching ('+' one level, '#' the rest; wildcards never match a first level
// that starts with '$') and shared subscriptions ($share/<group>/<filter>).

export interface ParsedFilter {
  filter: string;
  /** the share group of a `$share/<group>/<filter>` subscription */
  group?: string;
}

export function parseFilter(raw: string): ParsedFilter {
  if (!raw.startsWith('$share/')) return { filter: raw };
  const rest = raw.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return { filter: raw };
  return { group: rest.slice(0, slash), filter: rest.slice(slash + 1) };
}

export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
