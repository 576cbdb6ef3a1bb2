// One JSONata expression compiled once per connector, evaluated per record under bounds: time
// (`timeout_ms`, checked at every evaluation step), evaluation depth (`max_depth`) and sequence
// length. Any failure is a TransformError naming the expression's place in the definition.
import jsonata from 'jsonata';

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
}

const JSONATA_LIMIT_CODES: Record<string, string> = {
  D1011: 'went deeper than max_depth',
  D1012: 'ran longer than timeout_ms',
  D2015: `built a sequence of more than ${MAX_SEQUENCE.toLocaleString('en')} items`,
};

export function compileExpression(where: string, source: string, bounds: Bounds): CompiledExpression {
  const expr = jsonata(source, { timeout: bounds.timeout_ms, stack: bounds.max_depth, sequence: MAX_SEQUENCE });
  return {
    async evaluate(input) {
      try {
        return await expr.evaluate(input);
      } catch (e) {
        const err = e as { code?: string; message?: string; position?: number };
        const limit = err.code ? JSONATA_LIMIT_CODES[err.code] : undefined;
        const why = limit ?? `${err.message ?? String(e)}${typeof err.position === 'number' ? ` (at position ${err.position})` : ''}`;
        throw new TransformError(`${where}: ${why}`);
      }
    },
  };
}
