// A plain-JavaScript evaluator for the part of JSONata most transforms are written in: field
// paths (with a literal index), literals, arithmetic, comparisons, and/or, `&`, `? :`, object
// constructors and a few functions. JSONata's own evaluator costs ~25 µs per expression (a promise
// per step); this one costs well under one. It is built from JSONata's parse tree, and it gives
// up — for the whole expression when it holds anything else, or for one input when a value is
// outside what it mirrors exactly (an array met on a path, a number to format as a string, a type
// error JSONata would word) — and JSONata evaluates that input instead. The differential tests
// (test/transform/fast-path.test.ts) hold both to the same answers.

/** Thrown to hand one input to JSONata's evaluator. */
export const GIVE_UP: unique symbol = Symbol('give up');

type Value = unknown;
type Fn = (root: Value) => Value;

interface Node {
  type: string;
  value?: unknown;
  steps?: Node[];
  stages?: Node[];
  expr?: Node;
  expression?: Node;
  lhs?: Node | [Node, Node][];
  rhs?: Node;
  expressions?: Node[];
  condition?: Node;
  then?: Node;
  else?: Node;
  procedure?: Node;
  arguments?: Node[];
  predicate?: unknown;
  group?: unknown;
  focus?: unknown;
  tuple?: unknown;
  keepArray?: boolean;
  keepSingletonArray?: boolean;
  seekingParent?: unknown;
}

const giveUp = (): never => {
  throw GIVE_UP;
};

function isPlainObject(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSONata's boolean cast, for the values it is the same for; anything else gives up. */
function bool(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  return giveUp();
}

function compileIndex(stages: Node[] | undefined): ((v: Value) => Value) | undefined | null {
  if (!stages || stages.length === 0) return undefined;
  const only = stages[0];
  if (stages.length !== 1 || only?.type !== 'filter' || only.expr?.type !== 'number') return null;
  const n = only.expr.value as number;
  if (!Number.isInteger(n)) return null;
  return (v) => {
    if (v === undefined) return undefined;
    if (Array.isArray(v)) {
      const item: Value = v[n < 0 ? v.length + n : n];
      return Array.isArray(item) ? giveUp() : item;
    }
    return n === 0 || n === -1 ? v : undefined;
  };
}

function compilePath(node: Node): Fn | null {
  const steps = node.steps ?? [];
  if (steps.length === 0 || node.keepSingletonArray) return null;
  const parts: { name: string; index?: (v: Value) => Value }[] = [];
  for (const s of steps) {
    if (s.type !== 'name' || typeof s.value !== 'string' || s.predicate || s.group || s.focus || s.tuple || s.keepArray || s.seekingParent) return null;
    const index = compileIndex(s.stages);
    if (index === null) return null;
    parts.push({ name: s.value, ...(index ? { index } : {}) });
  }
  return (root) => {
    let cur: Value = root;
    for (const p of parts) {
      if (cur === undefined) return undefined;
      if (Array.isArray(cur)) return giveUp(); // JSONata maps a path over an array's items
      cur = isPlainObject(cur) && Object.prototype.hasOwnProperty.call(cur, p.name) ? cur[p.name] : undefined;
      if (p.index) cur = p.index(cur);
    }
    return Array.isArray(cur) ? giveUp() : cur;
  };
}

function arithmetic(op: string, l: Fn, r: Fn): Fn {
  return (root) => {
    const a = l(root);
    const b = r(root);
    if (a === undefined || b === undefined) return (a !== undefined && typeof a !== 'number') || (b !== undefined && typeof b !== 'number') ? giveUp() : undefined;
    if (typeof a !== 'number' || typeof b !== 'number') return giveUp();
    const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
    return Number.isFinite(v) ? v : giveUp();
  };
}

function primitive(v: Value): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function compileBinary(node: Node): Fn | null {
  const op = node.value as string;
  const l = compileNode(node.lhs as Node);
  const r = compileNode(node.rhs as Node);
  if (!l || !r) return null;
  switch (op) {
    case '+': case '-': case '*': case '/': case '%':
      return arithmetic(op, l, r);
    case '=': case '!=':
      return (root) => {
        const a = l(root);
        const b = r(root);
        if (a === undefined || b === undefined) return false;
        if (!primitive(a) || !primitive(b)) return giveUp();
        return op === '=' ? a === b : a !== b;
      };
    case '<': case '<=': case '>': case '>=':
      return (root) => {
        const a = l(root);
        const b = r(root);
        const ta = typeof a;
        const tb = typeof b;
        if ((ta !== 'number' && ta !== 'string' && ta !== 'undefined') || (tb !== 'number' && tb !== 'string' && tb !== 'undefined')) return giveUp();
        if (a === undefined || b === undefined) return undefined;
        if (ta !== tb) return giveUp();
        const x = a as number | string;
        const y = b as number | string;
        return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
      };
    case 'and':
      return (root) => bool(l(root)) && bool(r(root));
    case 'or':
      return (root) => bool(l(root)) || bool(r(root));
    case '&':
      return (root) => {
        const a = l(root);
        const b = r(root);
        const s = (v: Value) => (v === undefined ? '' : typeof v === 'string' ? v : giveUp());
        return s(a) + s(b);
      };
    default:
      return null;
  }
}

function compileObject(pairs: [Node, Node][]): Fn | null {
  const compiled: [string, Fn][] = [];
  for (const [k, v] of pairs) {
    if (k.type !== 'string' || typeof k.value !== 'string') return null;
    const f = compileNode(v);
    if (!f) return null;
    compiled.push([k.value, f]);
  }
  if (new Set(compiled.map(([k]) => k)).size !== compiled.length) return null; // JSONata refuses duplicate keys (D1009)
  return (root) => {
    const out: Record<string, Value> = {};
    for (const [k, f] of compiled) {
      const v = f(root);
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
}

const FUNCTIONS: Record<string, { arity: number; fn: (args: Value[]) => Value }> = {
  exists: { arity: 1, fn: ([v]) => v !== undefined },
  not: { arity: 1, fn: ([v]) => (v === undefined ? undefined : !bool(v)) },
  uppercase: { arity: 1, fn: ([v]) => (v === undefined ? undefined : typeof v === 'string' ? v.toUpperCase() : giveUp()) },
  lowercase: { arity: 1, fn: ([v]) => (v === undefined ? undefined : typeof v === 'string' ? v.toLowerCase() : giveUp()) },
};

function compileFunction(node: Node): Fn | null {
  const name = node.procedure?.type === 'variable' ? (node.procedure.value as string) : undefined;
  const f = name === undefined ? undefined : FUNCTIONS[name];
  const args = node.arguments ?? [];
  if (!f || node.value !== '(' || args.length !== f.arity) return null;
  const compiled = args.map(compileNode);
  if (compiled.some((c) => !c)) return null;
  return (root) => f.fn((compiled as Fn[]).map((c) => c(root)));
}

function compileNode(node: Node): Fn | null {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      const v = node.value;
      return () => v;
    }
    case 'path':
      return compilePath(node);
    case 'name':
      return compilePath({ type: 'path', steps: [node] });
    case 'binary':
      return compileBinary(node);
    case 'condition': {
      const c = compileNode(node.condition as Node);
      const t = compileNode(node.then as Node);
      const e = node.else ? compileNode(node.else) : () => undefined;
      if (!c || !t || !e) return null;
      return (root) => (bool(c(root)) ? t(root) : e(root));
    }
    case 'unary':
      if (node.value === '-') {
        const x = node.expression ? compileNode(node.expression) : null;
        if (!x) return null;
        return (root) => {
          const v = x(root);
          return v === undefined ? undefined : typeof v === 'number' ? -v : giveUp();
        };
      }
      if (node.value === '{' && Array.isArray(node.lhs)) return compileObject(node.lhs);
      return null;
    case 'block':
      return node.expressions?.length === 1 ? compileNode(node.expressions[0] as Node) : null;
    case 'function':
      return compileFunction(node);
    default:
      return null;
  }
}

/** A fast evaluator for the expression's parse tree, or undefined when it holds anything it does not mirror. */
export function compileFast(ast: unknown): Fn | undefined {
  try {
    return compileNode(ast as Node) ?? undefined;
  } catch {
    return undefined;
  }
}
