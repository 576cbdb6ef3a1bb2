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
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly fields: ServerFieldError[] = [],
  ) {
    super(message);
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

/** The lines printed to stderr for a failure: `error: <message>`, then one line per field error. */
export function failureLines(e: unknown): string[] {
  const message = e instanceof Error ? e.message : String(e);
  const lines = [`error: ${printable(message)}`];
  if (e instanceof ServerError) {
    for (const f of e.fields) lines.push(`  ${printable(f.path || '(body)')}: ${printable(f.rule)}`);
    if (e.status === 401) lines.push('  hint: pass --token <token> or set SLUICE_TOKEN');
  }
  return lines;
}

export function reportFailure(e: unknown): number {
  process.stderr.write(failureLines(e).join('\n') + '\n');
  return exitCodeOf(e);
}
