// Small formatting helpers shared by the pages.
export function num(n) {
  if (n === undefined || n === null) return '–';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 });
}

export function ago(ms) {
  if (ms === undefined || ms === null) return '–';
  const d = Date.now() - ms;
  return `${duration(d)} ago`;
}

export function duration(ms) {
  if (ms === undefined || ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 90) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

export const time = (ms) => (ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');

const KNOWN_STATES = new Set(['running', 'waiting', 'unavailable', 'paused', 'error', 'idle', 'stopping']);
/** the CSS class of a state; an unknown state gets the neutral colour */
export const stateClass = (state) => `state state-${KNOWN_STATES.has(state) ? state : 'other'}`;

/** Payload preview: JSON pretty-printed, other text as is, binary as hex (and the base64 kept). */
export function previewPayload(payload, encoding) {
  if (encoding === 'base64') {
    const bin = atob(payload);
    let hex = '';
    for (let i = 0; i < Math.min(bin.length, 512); i++) {
      hex += bin.charCodeAt(i).toString(16).padStart(2, '0') + (i % 16 === 15 ? '\n' : ' ');
    }
    return { kind: 'binary', text: `${hex.trimEnd()}${bin.length > 512 ? '\n…' : ''}`, note: `${bin.length} bytes, binary (hex)` };
  }
  try {
    return { kind: 'json', text: JSON.stringify(JSON.parse(payload), null, 2), note: 'JSON' };
  } catch {
    return { kind: 'text', text: payload, note: 'text' };
  }
}
