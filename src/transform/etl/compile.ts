// compileEtlRule: one rule compiled once per connector (CEL included); apply() runs it on a
// payload and never throws anything but EtlError.
import { validationError, type FieldError } from '../../errors.js';
import { newCelBudget } from './cel-runtime.js';
import { EtlError, StepFailure } from './etl-error.js';
import type { EtlRecord } from './record.js';
import { buildEtlRule, type BuiltRule } from './validate.js';

export interface CompiledEtl {
  /** true when the rule is empty: apply() returns the payload unchanged */
  readonly passthrough: boolean;
  /**
   * The output payloads of one message: one per record for the per-record encoders (JsonObject,
   * KeyValueLine, PositionalLine, PlainText, Bytes), one holding every record for JsonArray,
   * JsonLines and Csv; none when the payload decodes into no records (e.g. `[]`).
   * `now` (ms since the epoch) is what Set's `now` writes. Throws EtlError naming the step.
   */
  apply(payload: Buffer, now: number): Buffer[];
}

/** Validation errors of an etl_rule (none for an empty or absent one). */
export function etlRuleErrors(input: unknown, path = 'transform.etl_rule'): FieldError[] {
  return buildEtlRule(input, path).errors;
}

/** True when the rule does nothing: absent, null, or without decode_rule, operations and encode_rule. */
export function isEmptyEtlRule(input: unknown): boolean {
  const { rule, errors } = buildEtlRule(input, '');
  return errors.length === 0 && rule === null;
}

/** Compiles a rule; throws the VALIDATION_FAILED SluiceError of etlRuleErrors when it is invalid. */
export function compileEtlRule(input: unknown, path = 'transform.etl_rule'): CompiledEtl {
  const { rule, errors } = buildEtlRule(input, path);
  if (errors.length > 0) throw validationError(errors);
  if (rule === null) return { passthrough: true, apply: (payload) => [payload] };
  return { passthrough: false, apply: (payload, now) => run(rule, payload, now) };
}

function run(rule: BuiltRule, payload: Buffer, now: number): Buffer[] {
  let step = rule.decodeStep;
  try {
    let records = rule.decode(payload);
    const ctx = { now, budget: newCelBudget() };
    for (const op of rule.ops) {
      step = op.step;
      records = op.canFail ? records.map((r, i) => withIndex(records.length, i, () => op.run(r, ctx))) : records.map((r) => op.run(r, ctx));
    }
    step = rule.encodeStep;
    return rule.encode(records);
  } catch (e) {
    if (e instanceof StepFailure) throw new EtlError(step, e.message);
    // a bug or an exhausted resource (e.g. out of memory for a huge string): still this step's failure
    throw new EtlError(step, `unexpected failure: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function withIndex(count: number, i: number, f: () => EtlRecord): EtlRecord {
  try {
    return f();
  } catch (e) {
    if (e instanceof StepFailure && count > 1) throw new StepFailure(`record ${i}: ${e.message}`);
    throw e;
  }
}
