// CEL for Set rules, on @marcbachmann/cel-js. Three things the library does not do are added here:
// - RobustMQ's CEL (cel-rust) mixes int and double in arithmetic and equality (`temp * 1.8 + 32`
//   with an int temp); cel-js follows the spec and refuses, so the mixed overloads are registered.
// - cel-js bounds only the parse (AST size and depth). Evaluation is bounded by instrumenting this
//   environment's evaluator: every node visited (each loop iteration of map/filter/all/exists
//   included) costs a step from the message's budget, the wall clock is checked every 4096 steps,
//   and a string or list built by `+` is capped in length.
// - `matches()` runs on V8's linear-time regexp engine (the `l` flag) instead of the backtracking
//   one, so no pattern can hang on its input — CEL specifies RE2, which is linear too.
import v8 from 'node:v8';
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { ETL_LIMITS } from './limits.js';

v8.setFlagsFromString('--enable-experimental-regexp-engine');
/** V8's flag for the linear-time engine (a variable: linters do not know the flag) */
const LINEAR = 'l';

function linearRegExpWorks(): boolean {
  try {
    return new RegExp('^a+$', LINEAR).test('aaa');
  } catch {
    return false;
  }
}
const LINEAR_REGEXP = linearRegExpWorks();

/** What one message may still spend on CEL. */
export interface CelBudget {
  steps: number;
  /** performance.now() past which evaluation stops; 0 = not started (set at the first evaluation) */
  deadline: number;
}

export function newCelBudget(): CelBudget {
  return { steps: ETL_LIMITS.maxCelStepsPerMessage, deadline: 0 };
}

export class CelLimitError extends Error {}

interface AstNode {
  op: string;
  args: unknown;
  range?: { start: number };
}

type Run = (this: unknown, ast: AstNode, ctx: unknown) => unknown;

const env = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 2000, maxDepth: 64, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
});

for (const op of ['+', '-', '*', '/', '%'] as const) {
  const f = (a: number, b: number): number => (op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b);
  env.registerOperator(`int ${op} double`, (a: bigint, b: number) => f(Number(a), b));
  env.registerOperator(`double ${op} int`, (a: number, b: bigint) => f(a, Number(b)));
}
// registers ==, != in both orders
env.registerOperator('int == double', (a: bigint, b: number) => Number(a) === b);

let active: CelBudget | undefined;

/** The evaluator object of `env`, reached through a macro (macros are handed the evaluator). */
function captureEvaluator(): { run: Run } | undefined {
  let captured: { run: Run } | undefined;
  env.registerFunction('sluiceEtlProbe(ast): dyn', () => ({
    typeCheck: (checker: { getType(name: string): unknown }) => checker.getType('dyn'),
    evaluate: (evaluator: { run: Run }) => {
      captured = evaluator;
      return null;
    },
  }));
  try {
    env.evaluate('sluiceEtlProbe(0)', {});
  } catch {
    return undefined;
  }
  return captured && typeof captured.run === 'function' ? captured : undefined;
}

const evaluator = captureEvaluator();

function limitError(what: string): CelLimitError {
  return new CelLimitError(what);
}

const regexCache = new Map<string, RegExp>();

function linearRegExp(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, LINEAR); // throws SyntaxError for patterns needing backtracking
    if (regexCache.size >= 256) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

if (evaluator) {
  const original = evaluator.run;
  const instrumented: Run = function (this: unknown, ast, ctx) {
    const b = active;
    if (b === undefined) return original.call(this, ast, ctx);
    if (--b.steps < 0) throw limitError(`more than ${ETL_LIMITS.maxCelStepsPerMessage} CEL evaluation steps for one message`);
    if ((b.steps & 4095) === 0 && performance.now() > b.deadline) throw limitError(`CEL ran longer than ${ETL_LIMITS.maxCelMillisPerMessage} ms for one message`);
    const op = ast.op;
    if ((op === 'rcall' || op === 'call') && (ast.args as unknown[])[0] === 'matches') {
      const args = ast.args as unknown[];
      const operands = (op === 'rcall' ? [args[1], ...(args[2] as unknown[])] : (args[1] as unknown[])) as AstNode[];
      if (operands.length === 2) {
        const subject = original.call(this, operands[0] as AstNode, ctx);
        const pattern = original.call(this, operands[1] as AstNode, ctx);
        if (typeof subject !== 'string' || typeof pattern !== 'string') throw new Error('matches() needs a string and a pattern string');
        b.steps -= subject.length;
        return linearRegExp(pattern).test(subject);
      }
    }
    const r = original.call(this, ast, ctx);
    if (op === '+') {
      if (typeof r === 'string' && r.length > ETL_LIMITS.maxCelStringLength) throw limitError(`a CEL string grew past ${ETL_LIMITS.maxCelStringLength} characters`);
      if (Array.isArray(r) && r.length > ETL_LIMITS.maxCelListLength) throw limitError(`a CEL list grew past ${ETL_LIMITS.maxCelListLength} elements`);
    }
    return r;
  };
  evaluator.run = instrumented;
}

export interface CelProgram {
  /** the top-level identifiers the expression reads (`record` means: all fields) */
  readonly names: ReadonlySet<string>;
  evaluate(context: object, budget: CelBudget): unknown;
}

/** A cel-js error's own sentence (without the source excerpt it appends) and where it points. */
export function celMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const summary = (e as { summary?: unknown }).summary;
  const text = typeof summary === 'string' ? summary : (e.message.split('\n')[0] ?? e.message);
  const start = (e as { range?: { start?: unknown } }).range?.start;
  return typeof start === 'number' ? `${text} (at character ${start + 1})` : text;
}

interface Scan {
  names: Set<string>;
  patterns: string[];
  usesMatches: boolean;
}

function scan(node: unknown, out: Scan): void {
  if (Array.isArray(node)) {
    for (const n of node) scan(n, out);
    return;
  }
  if (node === null || typeof node !== 'object' || !('op' in node)) return;
  const { op, args } = node as AstNode;
  if (op === 'id' && typeof args === 'string') out.names.add(args);
  if ((op === 'rcall' || op === 'call') && Array.isArray(args) && args[0] === 'matches') {
    out.usesMatches = true;
    const last = (op === 'rcall' ? args[2] : args[1]) as AstNode[] | undefined;
    const pattern = last?.[last.length - 1];
    if (pattern?.op === 'value' && typeof pattern.args === 'string') out.patterns.push(pattern.args);
  }
  if (op !== 'value') scan(args, out);
}

/** Compiles an expression once; a string is the reason it does not compile. */
export function compileCel(expr: string): CelProgram | string {
  if (!evaluator) return 'CEL evaluation cannot be bounded with this version of @marcbachmann/cel-js, so CEL is refused';
  let parsed: ParseResult;
  try {
    parsed = env.parse(expr);
  } catch (e) {
    return celMessage(e);
  }
  const found: Scan = { names: new Set(), patterns: [], usesMatches: false };
  scan(parsed.ast, found);
  if (found.usesMatches && !LINEAR_REGEXP) return "matches() needs V8's linear-time regexp engine, which this Node.js does not have";
  for (const p of found.patterns) {
    try {
      linearRegExp(p);
    } catch (e) {
      return `the matches() pattern ${JSON.stringify(p)} is refused: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
    }
  }
  const checked = parsed.check();
  if (!checked.valid) return celMessage(checked.error);
  // cel-js evaluates the root node directly, not through evaluator.run; dyn() (the identity)
  // makes the expression a child, so it is counted and its matches() is the linear one
  const wrapped = env.parse(`dyn(${expr}\n)`);
  const wrappedCheck = wrapped.check();
  if (!wrappedCheck.valid) return celMessage(wrappedCheck.error);
  return {
    names: found.names,
    evaluate(context, budget) {
      if (budget.deadline === 0) budget.deadline = performance.now() + ETL_LIMITS.maxCelMillisPerMessage;
      active = budget;
      try {
        return wrapped(context);
      } finally {
        active = undefined;
      }
    },
  };
}
