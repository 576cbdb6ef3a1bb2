// Human-readable log lines for a terminal: pino writes JSON lines to this stream, which prints
// `12:00:01.234 INFO  message  key=value …`. Where logs go to a file or a collector, JSON stays.
import { Writable } from 'node:stream';

export type LogFormat = 'auto' | 'json' | 'pretty';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
// pino's own fields, shown in the line's fixed part or not at all
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

/** pretty when asked, or with `auto` when the output is a terminal. */
export function usePrettyLogs(format: LogFormat, isTTY: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY);
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  if (v !== null && typeof v === 'object' && 'message' in v && typeof v.message === 'string') return JSON.stringify(v.message);
  return JSON.stringify(v) ?? String(v);
}

function time(ms: unknown): string {
  const d = new Date(typeof ms === 'number' ? ms : Date.now());
  return d.toISOString().slice(11, 23);
}

export function prettyLine(json: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const shown = color ? `\x1b[${COLORS[level] ?? '0'}m${name}\x1b[0m` : name;
  const fields = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${value(v)}`);
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  return `${time(entry.time)} ${shown} ${msg}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
}

export function prettyLogStream(out: NodeJS.WritableStream & { isTTY?: boolean }): Writable {
  const color = out.isTTY === true && !process.env.NO_COLOR;
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      out.write(text.split('\n').filter((l) => l !== '').map((l) => prettyLine(l, color)).join(''));
      done();
    },
  });
}
