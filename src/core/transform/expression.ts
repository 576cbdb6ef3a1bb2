// One JSONata expression compiled once per connector, evaluated per record under bounds: time
// (`timeout_ms`, checked at every evaluation step), evaluation depth (`max_depth`) and sequence
// length. Any failure is a TransformError naming the expression's place in the definition.
import jsonata from 'jsonata';
import { compileFast, GIVE_UP } from './fast-path.js';

/** How long sequences an expression may build (a `[1..1e9]` range is refused, not allocated). */
const MAX_SEQUENCE = 1_000_000;

export class TransformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransformError';
  }
}

export interface Bounds {
  timeout_ms: number;
  max_depth: number;
}

export interface CompiledExpression {
  evaluate(input: unknown): Promise<unknown>;
  /** the value by the plain-JavaScript evaluator (fast-path.ts), or GIVE_UP when only evaluate() can tell */
  trySync(input: unknown): unknown;
  /** whether the plain-JavaScript evaluator (fast-path.ts) runs it */
  fast: boolean;
}

/** JSONata's code for an error raised by the expression with $error() */
const USER_ERROR = 'D3137';

const JSONATA_LIMIT_CODES: Record<string, string> = {
  D1011: 'went deeper than max_depth',
  D1012: 'ran longer than timeout_ms',
  D2015: `built a sequence of more than ${MAX_SEQUENCE.toLocaleString('en')} items`,
};

/**
 * The time bound is wall-clock time: a busy machine can pause a process longer than a short
 * bound, so a record is failed for time only after this many tries in a row ran out of it.
 */
const TIMEOUT_TRIES = 3;

export function compileExpression(where: string, source: string, bounds: Bounds): CompiledExpression {
  const expr = jsonata(source, { timeout: bounds.timeout_ms, stack: bounds.max_depth, sequence: MAX_SEQUENCE });
  const fast = compileFast(expr.ast());
  return {
    fast: fast !== undefined,
    trySync(input) {
      if (!fast) return GIVE_UP;
      try {
        return fast(input);
      } catch {
        return GIVE_UP;
      }
    },
    async evaluate(input) {
      if (fast) {
        try {
          return fast(input);
        } catch {
          // GIVE_UP: this input goes to JSONata's evaluator, which words its errors
        }
      }
      for (let attempt = 1; ; attempt++) {
        try {
          return await expr.evaluate(input);
        } catch (e) {
          if ((e as { code?: string }).code === 'D1012' && attempt < TIMEOUT_TRIES) continue;
          throw asTransformError(where, e);
        }
      }
    },
  };
}

function asTransformError(where: string, e: unknown): TransformError {
  const err = e as { code?: string; message?: string; position?: number };
  const limit = err.code ? JSONATA_LIMIT_CODES[err.code] : undefined;
  // $error("…") is the expression's own message: its position says nothing
  const at = typeof err.position === 'number' && err.code !== USER_ERROR ? ` (at position ${err.position})` : '';
  const why = limit ?? `${err.message ?? String(e)}${at}`;
  return new TransformError(`${where}: ${why}`);
}
