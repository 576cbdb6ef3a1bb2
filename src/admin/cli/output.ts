// What the CLI prints on stdout: aligned tables and readable blocks for people, raw JSON for scripts.
import { stringify as toYaml } from 'yaml';
import { printable } from './cli-errors.js';

export interface Column {
  header: string;
  /** longest cell shown; longer ones end in … */
  max?: number;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function clip(text: string, max: number | undefined): string {
  const oneLine = printable(text.replace(/\r?\n/g, ' '));
  return max !== undefined && oneLine.length > max ? `${oneLine.slice(0, Math.max(1, max - 1))}…` : oneLine;
}

/** Columns separated by two spaces, padded to the widest cell; the last column is not padded. */
export function renderTable(columns: Column[], rows: unknown[][]): string {
  const cells = rows.map((row) => columns.map((c, i) => clip(cellText(row[i]), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** `label  value` lines with the labels aligned. */
export function renderBlock(entries: [string, unknown][]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${printable(cellText(v))}`).join('\n');
}

export function renderYaml(value: unknown): string {
  return toYaml(value, { lineWidth: 0 }).trimEnd();
}

export function printOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

let structured: 'json' | 'yaml' = 'json';

/** What printJson writes: JSON, or the same data as YAML (`--output yaml`). */
export function useStructuredFormat(format: 'json' | 'yaml'): void {
  structured = format;
}

/** The data a command answers with, for scripts: JSON unless `--output yaml`. */
export function printJson(value: unknown): void {
  printOut(structured === 'yaml' ? renderYaml(value) : JSON.stringify(value, null, 2));
}

/** ms since epoch (or an ISO string) shown as ISO 8601; null as "never". */
export function formatTime(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return 'never';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString();
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
