// Checks an etl_rule as given (RobustMQ's serde shape) and builds its executable form in the
// same walk, so what is validated is exactly what runs. Errors name the step and field, e.g.
// `transform.etl_rule.ops_rule_list[2].Set.rules[0].value.expr: does not compile: …`.
import type { FieldError } from '../../errors.js';
import { compileCel } from './cel-runtime.js';
import { decoderFor, type Decoder } from './decode.js';
import { encoderFor, type Encoder } from './encode.js';
import { ETL_LIMITS } from './limits.js';
import { deleteOp, extractOp, keepOnlyOp, renameOp } from './ops.js';
import { parsePath, type FieldPath } from './path.js';
import { isPlainObject, type JsonValue } from './record.js';
import { DECODE_TYPES, UNSUPPORTED_DECODE_TYPES, type DecodeType, type FormatParams } from './rule-schema.js';
import { setOp, type CompiledSetRule, type SetContext } from './set-op.js';

export interface BuiltStep {
  step: string;
  /** per-record operation; the Set context carries the time and the CEL budget */
  run(record: Map<string, JsonValue>, ctx: SetContext): Map<string, JsonValue>;
  /** whether run can fail (only Set can) */
  canFail: boolean;
}

export interface BuiltRule {
  decodeStep: string;
  decode: Decoder;
  ops: BuiltStep[];
  encodeStep: string;
  encode: Encoder;
}

const OPERATIONS = ['Extract', 'Rename', 'KeepOnly', 'Set', 'Delete'] as const;
type Operation = (typeof OPERATIONS)[number];

class Walk {
  readonly errors: FieldError[] = [];

  err(path: string, rule: string): undefined {
    this.errors.push({ path, rule });
    return undefined;
  }

  /** An object with exactly `allowed` keys (the `required` ones present); null values count as absent. */
  params(v: unknown, path: string, allowed: readonly string[], required: readonly string[]): Record<string, unknown> | undefined {
    if (!isPlainObject(v)) return this.err(path, 'must be an object');
    const before = this.errors.length;
    for (const k of Object.keys(v)) if (!allowed.includes(k)) this.err(`${path}.${k}`, 'is not a known field');
    for (const k of required) if (v[k] === undefined) this.err(`${path}.${k}`, 'is required');
    return this.errors.length === before ? (v as Record<string, unknown>) : undefined;
  }

  name(v: unknown, path: string): string | undefined {
    if (typeof v !== 'string') return this.err(path, 'must be a string');
    if (v.trim() === '') return this.err(path, 'must not be empty');
    if (v.length > ETL_LIMITS.maxNameLength) return this.err(path, `must be at most ${ETL_LIMITS.maxNameLength} characters`);
    return v;
  }

  /** A mapping object's entries in their given order. */
  mapping(v: unknown, path: string): Array<[string, unknown]> | undefined {
    if (!isPlainObject(v)) return this.err(path, 'must be an object (source → target)');
    const entries = Object.entries(v);
    if (entries.length > ETL_LIMITS.maxEntries) return this.err(path, `must have at most ${ETL_LIMITS.maxEntries} entries`);
    return entries;
  }

  names(v: unknown, path: string): string[] | undefined {
    if (!Array.isArray(v)) return this.err(path, 'must be an array of field names');
    if (v.length > ETL_LIMITS.maxEntries) return this.err(path, `must have at most ${ETL_LIMITS.maxEntries} items`);
    const out = v.map((k, i) => this.name(k, `${path}[${i}]`));
    return out.every((k): k is string => k !== undefined) ? out : undefined;
  }

  format(v: unknown, path: string, tag: 'Decode' | 'Encode'): FormatParams | undefined {
    const keys = isPlainObject(v) ? Object.keys(v) : [];
    if (!isPlainObject(v) || keys.length !== 1 || keys[0] !== tag) {
      const other = keys.length === 1 ? keys[0] : undefined;
      if (other !== undefined) return this.err(`${path}.${other}`, `is not allowed here: ${tag === 'Decode' ? 'decode_rule' : 'encode_rule'} takes only {"${tag}": {"data_type": …}}`);
      return this.err(path, `must be {"${tag}": {"data_type": …}}`);
    }
    const p = `${path}.${tag}`;
    const params = this.params(v[tag], p, ['data_type', 'line_separator', 'token_separator', 'kv_separator'], ['data_type']);
    if (!params) return undefined;
    const before = this.errors.length;
    const t = params.data_type;
    if ((UNSUPPORTED_DECODE_TYPES as readonly unknown[]).includes(t)) {
      this.err(`${p}.data_type`, tag === 'Decode' ? `${String(t)} is not supported (RobustMQ declares it but cannot decode it either)` : `${String(t)} is not an output format`);
    } else if (!(DECODE_TYPES as readonly unknown[]).includes(t)) {
      this.err(`${p}.data_type`, `must be one of: ${DECODE_TYPES.join(', ')}`);
    }
    for (const k of ['line_separator', 'token_separator', 'kv_separator'] as const) {
      const s = params[k];
      if (s === undefined || s === null) continue;
      if (typeof s !== 'string') this.err(`${p}.${k}`, 'must be a string or null');
      else if (s.length > ETL_LIMITS.maxNameLength) this.err(`${p}.${k}`, `must be at most ${ETL_LIMITS.maxNameLength} characters`);
    }
    if (this.errors.length !== before) return undefined;
    return { data_type: t as DecodeType, line_separator: params.line_separator as string | null | undefined, token_separator: params.token_separator as string | null | undefined, kv_separator: params.kv_separator as string | null | undefined };
  }

  /** A JSON value no deeper than the payload limit. */
  constValue(v: unknown, path: string, depth = 0): boolean {
    if (depth > ETL_LIMITS.maxDepth) return this.err(path, `is nested deeper than ${ETL_LIMITS.maxDepth} levels`) ?? false;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
    if (typeof v === 'number') return Number.isFinite(v) || (this.err(path, 'must be a finite number') ?? false);
    if (Array.isArray(v)) return v.every((x) => this.constValue(x, path, depth + 1));
    if (isPlainObject(v)) return Object.values(v).every((x) => this.constValue(x, path, depth + 1));
    return this.err(path, 'must be a JSON value') ?? false;
  }

  operation(v: unknown, path: string, index: number): BuiltStep | undefined {
    const keys = isPlainObject(v) ? Object.keys(v) : [];
    const tag = keys[0];
    if (!isPlainObject(v) || keys.length !== 1 || tag === undefined) return this.err(path, `must be an object with one key naming the operation: ${OPERATIONS.join(', ')}`);
    if (tag === 'Decode' || tag === 'Encode') return this.err(`${path}.${tag}`, `belongs in ${tag === 'Decode' ? 'decode_rule' : 'encode_rule'}, not in ops_rule_list (RobustMQ skips it there)`);
    if (!(OPERATIONS as readonly string[]).includes(tag)) return this.err(`${path}.${tag}`, `is not an operation: expected one of ${OPERATIONS.join(', ')}`);
    const op = tag as Operation;
    const p = `${path}.${op}`;
    const step = `ops_rule_list[${index}] (${op})`;
    const pure = (run: (r: Map<string, JsonValue>) => Map<string, JsonValue>): BuiltStep => ({ step, run, canFail: false });
    if (op === 'Extract' || op === 'Rename') {
      const params = this.params(v[op], p, ['field_mapping'], ['field_mapping']);
      const entries = params && this.mapping(params.field_mapping, `${p}.field_mapping`);
      if (!entries) return undefined;
      const before = this.errors.length;
      const paths: Array<[FieldPath, string]> = [];
      const pairs: Array<[string, string]> = [];
      for (const [source, target] of entries) {
        const at = `${p}.field_mapping[${JSON.stringify(source)}]`;
        const to = this.name(target, at);
        if (op === 'Extract') {
          const parsed = parsePath(source);
          if (typeof parsed === 'string') this.err(at, `source path ${parsed}`);
          else if (to !== undefined) paths.push([parsed, to]);
        } else if (source.trim() === '') this.err(at, 'the source field must not be empty');
        else if (to !== undefined) pairs.push([source, to]);
      }
      if (this.errors.length !== before) return undefined;
      return pure(op === 'Extract' ? extractOp(paths) : renameOp(pairs));
    }
    if (op === 'KeepOnly' || op === 'Delete') {
      const params = this.params(v[op], p, ['keys'], ['keys']);
      const keys = params && this.names(params.keys, `${p}.keys`);
      if (!keys) return undefined;
      return pure(op === 'KeepOnly' ? keepOnlyOp(keys) : deleteOp(keys));
    }
    const params = this.params(v[op], p, ['rules'], ['rules']);
    if (!params) return undefined;
    if (!Array.isArray(params.rules)) return this.err(`${p}.rules`, 'must be an array');
    if (params.rules.length > ETL_LIMITS.maxEntries) return this.err(`${p}.rules`, `must have at most ${ETL_LIMITS.maxEntries} items`);
    const rules = params.rules.map((r, i) => this.setRule(r, `${p}.rules[${i}]`));
    if (!rules.every((r): r is CompiledSetRule => r !== undefined)) return undefined;
    return { step, run: setOp(rules), canFail: rules.some((r) => r.kind !== 'const') };
  }

  setRule(v: unknown, path: string): CompiledSetRule | undefined {
    const rule = this.params(v, path, ['target_field', 'value'], ['target_field', 'value']);
    if (!rule) return undefined;
    const target = this.name(rule.target_field, `${path}.target_field`);
    const value = this.params(rule.value, `${path}.value`, ['type', 'value', 'expr'], ['type']);
    if (!value || target === undefined) return undefined;
    const p = `${path}.value`;
    const type = value.type;
    const only = (keys: string[]): boolean => {
      const extra = Object.keys(value).filter((k) => k !== 'type' && !keys.includes(k));
      for (const k of extra) this.err(`${p}.${k}`, `is not a field of a ${String(type)} value`);
      return extra.length === 0;
    };
    if (type === 'const') {
      if (!only(['value'])) return undefined;
      if (!('value' in value)) return this.err(`${p}.value`, 'is required (null is a value)');
      return this.constValue(value.value, `${p}.value`) ? { target, kind: 'const', value: value.value as JsonValue } : undefined;
    }
    if (type === 'now') return only([]) ? { target, kind: 'now' } : undefined;
    if (type === 'cel') {
      if (!only(['expr'])) return undefined;
      const expr = value.expr;
      if (typeof expr !== 'string') return this.err(`${p}.expr`, expr === undefined ? 'is required' : 'must be a string');
      if (expr.trim() === '') return this.err(`${p}.expr`, 'must not be empty');
      if (expr.length > ETL_LIMITS.maxExprLength) return this.err(`${p}.expr`, `must be at most ${ETL_LIMITS.maxExprLength} characters`);
      const program = compileCel(expr);
      if (typeof program === 'string') return this.err(`${p}.expr`, `does not compile: ${program}`);
      return { target, kind: 'cel', program };
    }
    return this.err(`${p}.type`, 'must be one of: const, now, cel');
  }
}

/**
 * Validates a rule and builds it. `rule: null` with no errors: the rule is empty and does nothing
 * (absent, null, or RobustMQ's stored empty rule with no decode_rule, operations or encode_rule).
 */
export function buildEtlRule(input: unknown, path: string): { rule: BuiltRule | null; errors: FieldError[] } {
  const w = new Walk();
  if (input === undefined || input === null) return { rule: null, errors: [] };
  const top = w.params(input, path, ['decode_rule', 'ops_rule_list', 'encode_rule'], []);
  if (!top) return { rule: null, errors: w.errors.length ? w.errors : [{ path, rule: 'must be an object' }] };
  const decodeGiven = top.decode_rule !== undefined && top.decode_rule !== null;
  const encodeGiven = top.encode_rule !== undefined && top.encode_rule !== null;
  const decode = decodeGiven ? w.format(top.decode_rule, `${path}.decode_rule`, 'Decode') : undefined;
  let opsInput: unknown[] = [];
  if (top.ops_rule_list !== undefined && top.ops_rule_list !== null) {
    if (!Array.isArray(top.ops_rule_list)) w.err(`${path}.ops_rule_list`, 'must be an array of operations');
    else if (top.ops_rule_list.length > ETL_LIMITS.maxOps) w.err(`${path}.ops_rule_list`, `must have at most ${ETL_LIMITS.maxOps} operations`);
    else opsInput = top.ops_rule_list;
  }
  const ops = opsInput.map((op, i) => w.operation(op, `${path}.ops_rule_list[${i}]`, i));
  const encode = encodeGiven ? w.format(top.encode_rule, `${path}.encode_rule`, 'Encode') : undefined;

  const given = [decodeGiven, opsInput.length > 0, encodeGiven];
  if (given.every((g) => !g)) return { rule: null, errors: w.errors };
  if (!given.every((g) => g)) {
    const why = 'RobustMQ runs a rule only when it has decode_rule, at least one operation and encode_rule, and silently does nothing otherwise';
    if (!decodeGiven) w.err(`${path}.decode_rule`, `is required: ${why}`);
    if (opsInput.length === 0 && !Array.isArray(top.ops_rule_list) && top.ops_rule_list !== undefined && top.ops_rule_list !== null) {
      // already reported as not an array
    } else if (opsInput.length === 0) w.err(`${path}.ops_rule_list`, `must hold at least one operation: ${why} (to only change the format, add {"Delete": {"keys": []}}, which changes nothing)`);
    if (!encodeGiven) w.err(`${path}.encode_rule`, `is required: ${why}`);
  }
  if (w.errors.length > 0 || !decode || !encode || !ops.every((o): o is BuiltStep => o !== undefined)) return { rule: null, errors: w.errors };
  return {
    rule: { decodeStep: `decode_rule (${decode.data_type})`, decode: decoderFor(decode), ops, encodeStep: `encode_rule (${encode.data_type})`, encode: encoderFor(encode) },
    errors: [],
  };
}
