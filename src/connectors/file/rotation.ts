// Naming and rotation decisions of the file sink, kept pure (plus one directory scan) so that they
// can be tested without writing files.
//
// Scheme (UTC throughout):
// - none:   every record goes to `local_file_path`.
// - size:   `local_file_path` is always the current file. When the next record would push it past
//           the limit, it is renamed away to `<stem>.<NNNNN><ext>` (one more than the highest index
//           found in the directory, skipping any name that exists) and a fresh file is opened.
//           A restart appends to `local_file_path` and counts its existing size.
// - hourly / daily: each period writes its own named file, `<stem>.2026-11-22T13<ext>` or
//           `<stem>.2026-11-22<ext>`, chosen from the clock when a batch is written. Nothing is
//           renamed; a restart within the same period appends to that period's file.
// A record is never split: a batch is planned into whole-line chunks, one write per file.
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export type RotationStrategy = 'none' | 'size' | 'hourly' | 'daily';

export interface PathParts {
  dir: string;
  /** file name without the extension, e.g. `messages` */
  stem: string;
  /** extension with its dot, e.g. `.jsonl`, or '' */
  ext: string;
}

export function splitPath(path: string): PathParts {
  const name = basename(path);
  const ext = extname(name);
  return { dir: dirname(path), stem: ext ? name.slice(0, -ext.length) : name, ext };
}

/** `2026-11-22T13` (hourly) or `2026-11-22` (daily), in UTC. */
export function periodLabel(strategy: 'hourly' | 'daily', nowMs: number): string {
  const iso = new Date(nowMs).toISOString(); // 2026-11-22T13:04:05.000Z
  return strategy === 'hourly' ? iso.slice(0, 13) : iso.slice(0, 10);
}

/** The file a batch written at `nowMs` goes to (before any size rotation). */
export function activePath(basePath: string, strategy: RotationStrategy, nowMs: number): string {
  if (strategy !== 'hourly' && strategy !== 'daily') return basePath;
  const { dir, stem, ext } = splitPath(basePath);
  return join(dir, `${stem}.${periodLabel(strategy, nowMs)}${ext}`);
}

const INDEX_WIDTH = 5;

export function sizeRotatedPath(basePath: string, index: number): string {
  const { dir, stem, ext } = splitPath(basePath);
  return join(dir, `${stem}.${String(index).padStart(INDEX_WIDTH, '0')}${ext}`);
}

/** Highest size-rotation index among `names` (file names in the base file's directory); 0 when none. */
export function highestSizeIndex(basePath: string, names: readonly string[]): number {
  const { stem, ext } = splitPath(basePath);
  const re = new RegExp(`^${escapeRegExp(stem)}\\.(\\d{${INDEX_WIDTH},})${escapeRegExp(ext)}$`);
  let max = 0;
  for (const name of names) {
    const m = re.exec(name);
    if (m?.[1]) max = Math.max(max, Number(m[1]));
  }
  return max;
}

/** A free name to rename the full current file to: after every existing rotated file, never an existing one. */
export async function nextSizeRotatedPath(basePath: string): Promise<string> {
  const names = await readdir(splitPath(basePath).dir);
  const taken = new Set(names);
  let index = highestSizeIndex(basePath, names) + 1;
  while (taken.has(basename(sizeRotatedPath(basePath, index)))) index++;
  return sizeRotatedPath(basePath, index);
}

/** A run of consecutive records `[start, end)` written with one write; `rotateBefore` starts a fresh file first. */
export interface Chunk {
  start: number;
  end: number;
  rotateBefore: boolean;
}

/**
 * Splits a batch into whole-record chunks for size rotation. `usedBytes` is the current file's size.
 * Rotates before a record that would push a non-empty file past `limitBytes`; a record larger than
 * the limit therefore goes alone into its own file.
 */
export function planSizeChunks(lineBytes: readonly number[], usedBytes: number, limitBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk = { start: 0, end: 0, rotateBefore: false };
  let used = usedBytes;
  lineBytes.forEach((len, i) => {
    if (used > 0 && used + len > limitBytes) {
      if (current.end > current.start) chunks.push(current);
      current = { start: i, end: i, rotateBefore: true };
      used = 0;
    }
    current.end = i + 1;
    used += len;
  });
  if (current.end > current.start) chunks.push(current);
  return chunks;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
