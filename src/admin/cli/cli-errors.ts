// The three ways a client command fails, their exit codes, and how each is reported on stderr.
// Messages never carry the bearer token: it is only ever put in the Authorization header.

export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;

/** The command line itself is wrong (bad flag value, unreadable file, …): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ServerFieldError {
  path: string;
  rule: string;
}

/** The server answered with an error status: exit 1, with the server's message. */
export class ServerError extends Error {
  override readonly name = 'ServerError';
  /** the message only joins the field rules (a validation refusal): the fields alone say it all */
  readonly messageIsFields: boolean;
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly fields: ServerFieldError[] = [],
    messageIsFields?: boolean,
  ) {
    super(message);
    this.messageIsFields = messageIsFields ?? (fields.length > 0 && message === fields.map((f) => (f.path ? `${f.path}: ${f.rule}` : f.rule)).join('; '));
  }
}

/** The server could not be reached or did not answer in time: exit 3. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return EXIT_USAGE;
  if (e instanceof UnreachableError) return EXIT_UNREACHABLE;
  return EXIT_REFUSED;
}

/** Control characters from a server or a file are shown escaped, never sent to the terminal raw. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The lines printed to stderr for a failure, each problem once. A validation refusal (whose
 * message only joins its field rules) prints `error: <path>: <rule>`, or for several fields
 * `error: N problems in the request:` and one line each; any other refusal prints its message
 * and then the fields it names.
 */
export function failureLines(e: unknown): string[] {
  const message = e instanceof Error ? e.message : String(e);
  const fields = e instanceof ServerError ? e.fields : [];
  const fieldLine = (f: ServerFieldError) => `${printable(f.path || '(body)')}: ${printable(f.rule)}`;
  let lines: string[];
  if (e instanceof ServerError && e.messageIsFields && fields.length === 1) lines = [`error: ${fieldLine(fields[0] as ServerFieldError)}`];
  else if (e instanceof ServerError && e.messageIsFields) lines = [`error: ${fields.length} problems in the request:`, ...fields.map((f) => `  ${fieldLine(f)}`)];
  else lines = [`error: ${printable(message)}`, ...fields.map((f) => `  ${fieldLine(f)}`)];
  if (e instanceof ServerError && e.status === 401) lines.push('  hint: pass --token <token> or set SLUICE_TOKEN');
  return lines;
}

export function reportFailure(e: unknown): number {
  process.stderr.write(failureLines(e).join('\n') + '\n');
  return exitCodeOf(e);
}
