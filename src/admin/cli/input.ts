// What the CLI reads from its user: numeric flags, JSON given on the command line, JSON/YAML files.
// Error messages name the flag or file and position but never quote the text: it may hold secrets.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UsageError } from './cli-errors.js';

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** Parser of a repeatable / variadic `--id <id...>`: collects whole numbers ≥ 1. */
export function collectIds(value: string, previous: number[] | undefined): number[] {
  return [...(previous ?? []), parsePositiveInt(value)];
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonPosition(e: unknown): string {
  const m = e instanceof Error ? /position (\d+)/.exec(e.message) : null;
  return m ? ` (at character ${m[1]})` : '';
}

/** A JSON object given as a flag value, e.g. `--config '{"url":"…"}'`. */
export function parseJsonObjectFlag(text: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${flag}: not valid JSON${jsonPosition(e)}`);
  }
  if (!isPlainObject(value)) throw new UsageError(`${flag}: expected a JSON object`);
  return value;
}

function readSource(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`-f ${path}: cannot be read (${why})`);
  }
}

/**
 * Reads a request body from a file: `.json` as JSON, anything else (`.yaml`, `.yml`, `-` for stdin)
 * as YAML, which also reads JSON. The top level must be an object.
 */
export function readObjectFile(path: string): Record<string, unknown> {
  const text = readSource(path);
  let value: unknown;
  if (path.toLowerCase().endsWith('.json')) {
    try {
      value = JSON.parse(text) as unknown;
    } catch (e) {
      throw new UsageError(`-f ${path}: not valid JSON${jsonPosition(e)}`);
    }
  } else {
    try {
      value = parseYaml(text, { prettyErrors: false, uniqueKeys: true }) as unknown;
    } catch (e) {
      if (e instanceof YAMLParseError) {
        const at = e.linePos?.[0];
        throw new UsageError(`-f ${path}: not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''} (${e.code})`);
      }
      throw new UsageError(`-f ${path}: not valid YAML`);
    }
  }
  if (!isPlainObject(value)) throw new UsageError(`-f ${path}: expected an object at the top level`);
  return value;
}
