// Set: write fields rule by rule — a const, the processing time, or a CEL expression over the
// record as it stands (a later rule sees the fields set before it, as in RobustMQ). CEL sees each
// top-level field as a variable and the whole record as `record`; a field named `record` wins
// over the whole record, as in RobustMQ. Only the fields an expression names are converted.
import { celMessage, CelLimitError, type CelBudget, type CelProgram } from './cel-runtime.js';
import { fromCel, toCel } from './cel-values.js';
import { fail, StepFailure } from './etl-error.js';
import type { EtlRecord, JsonValue } from './record.js';

export type CompiledSetRule =
  | { target: string; kind: 'const'; value: JsonValue }
  | { target: string; kind: 'now' }
  | { target: string; kind: 'cel'; program: CelProgram };

export interface SetContext {
  now: number;
  budget: CelBudget;
}

export type SetRecordOp = (record: EtlRecord, ctx: SetContext) => EtlRecord;

export function setOp(rules: readonly CompiledSetRule[]): SetRecordOp {
  if (rules.length === 0) return (r) => r;
  const names = new Set<string>();
  for (const r of rules) if (r.kind === 'cel') for (const n of r.program.names) names.add(n);
  const wholeRecord = names.has('record');

  return (record, ctx) => {
    const out = new Map(record);
    let celCtx: Record<string, unknown> | undefined;
    let celRecord: Record<string, unknown> | undefined;
    rules.forEach((rule, i) => {
      let value: JsonValue;
      if (rule.kind === 'const') value = rule.value;
      else if (rule.kind === 'now') value = new Date(ctx.now).toISOString();
      else {
        if (!celCtx) {
          celCtx = Object.create(null) as Record<string, unknown>;
          if (wholeRecord) {
            celRecord = Object.create(null) as Record<string, unknown>;
            celCtx.record = celRecord;
            for (const [k, v] of out) celCtx[k] = celRecord[k] = toCel(v);
          } else {
            for (const n of names) {
              const v = out.get(n);
              if (v !== undefined) celCtx[n] = toCel(v);
            }
          }
        }
        let result: unknown;
        try {
          result = rule.program.evaluate(celCtx, ctx.budget);
        } catch (e) {
          if (e instanceof CelLimitError) fail(`rules[${i}] (${rule.target}): ${e.message}`);
          fail(`rules[${i}] (${rule.target}): CEL: ${celMessage(e)}`);
        }
        try {
          value = fromCel(result);
        } catch (e) {
          if (e instanceof StepFailure) fail(`rules[${i}] (${rule.target}): ${e.message}`);
          throw e;
        }
      }
      out.set(rule.target, value);
      if (celCtx && (wholeRecord || names.has(rule.target))) {
        const c = toCel(value);
        celCtx[rule.target] = c;
        if (celRecord) celRecord[rule.target] = c;
      }
    });
    return out;
  };
}
