// How the file sink's I/O failures are classified: errors another attempt cannot fix are permanent;
// anything else (ENOSPC, EIO, EMFILE, …) may pass and is retriable.
import { SinkError } from '../sink.js';

const PERMANENT_CODES = new Set(['EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENAMETOOLONG', 'EROFS', 'ELOOP', 'EFBIG']);

export function ioError(action: string, path: string, err: unknown): SinkError {
  const message = `file sink: cannot ${action} ${path}: ${reason(err)}`;
  return PERMANENT_CODES.has(codeOf(err) ?? '') ? SinkError.permanent(message) : SinkError.retriable(message);
}

export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
