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

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number 0–65535 (0 = any free port)');
  return n;
}

/** Parser of a repeatable / variadic `--id <id...>`: collects whole numbers ≥ 1. */
export function collectIds(value: string, previous: number[] | undefined): number[] {
  return [...(previous ?? []), parsePositiveInt(value)];
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Line and column (from 1) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

/** Where JSON.parse stopped, as ` at line L, column C` (the end of the text when it ran out). */
function jsonPosition(text: string, e: unknown): string {
  const message = e instanceof Error ? e.message : '';
  const m = /position (\d+)/.exec(message);
  const offset = m ? Number(m[1]) : /end of (JSON|data)/i.test(message) ? text.length : undefined;
  if (offset === undefined) return '';
  const { line, col } = lineColumn(text, offset);
  return ` at line ${line}, column ${col}`;
}

/** Where the YAML parser stopped, as ` at line L, column C`. */
export function yamlPosition(text: string, e: YAMLParseError): string {
  const at = e.linePos?.[0] ?? lineColumn(text, e.pos[0]);
  return ` at line ${at.line}, column ${at.col}`;
}

/** JSON.parse with an error that names `what` and the position, never quoting the text. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${what}: not valid JSON${jsonPosition(text, e)}`);
  }
}

/** A JSON object given as a flag value, e.g. `--config '{"url":"…"}'`. */
export function parseJsonObjectFlag(text: string, flag: string): Record<string, unknown> {
  const value = parseJsonText(text, flag);
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
    value = parseJsonText(text, `-f ${path}`);
  } else {
    try {
      value = parseYaml(text, { prettyErrors: false, uniqueKeys: true }) as unknown;
    } catch (e) {
      if (e instanceof YAMLParseError) {
        throw new UsageError(`-f ${path}: not valid YAML${yamlPosition(text, e)} (${e.code})`);
      }
      throw new UsageError(`-f ${path}: not valid YAML`);
    }
  }
  if (!isPlainObject(value)) throw new UsageError(`-f ${path}: expected an object at the top level`);
  return value;
}
