// The one error apply() throws: which step failed (e.g. `ops_rule_list[1] (Rename)`) and why.
// The caller turns it into a permanent failure of that message.

export class EtlError extends Error {
  constructor(
    /** the step, e.g. `decode_rule (JsonArray)`, `ops_rule_list[2] (Set)`, `encode_rule (Csv)` */
    readonly step: string,
    /** what went wrong, without the step */
    readonly detail: string,
  ) {
    super(`${step}: ${detail}`);
    this.name = 'EtlError';
  }
}

/** Thrown inside a step; the pipeline prefixes it with the step's name. */
export class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
  }
}

export function fail(message: string): never {
  throw new StepFailure(message);
}

/** A short, single-line excerpt of input data for an error message. */
export function excerpt(text: string, max = 60): string {
  const oneLine = text.replace(/[\r\n\t]/g, ' ');
  return JSON.stringify(oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine);
}
