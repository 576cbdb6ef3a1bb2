// How the file sink's I/O failures are classified, by the contract's rule (sink.ts). The file
// takes any bytes, so no record can be at fault: nothing here is permanent. A momentary refusal of
// one call (EAGAIN, EINTR, EBUSY) is retriable; everything else — no permission (EACCES, EPERM,
// EROFS: the file's "credentials"), a path that names no writable file (EISDIR, ENOTDIR, ELOOP,
// ENAMETOOLONG), a full or failing disk (ENOSPC, EDQUOT, EIO, EFBIG), no descriptors (EMFILE) —
// is unavailable: an operator or time fixes it, and nothing is dropped meanwhile.
import { SinkError, type SinkErrorKind } from '../sink.js';

const RETRIABLE_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR', 'EBUSY']);

export function ioErrorKind(err: unknown): SinkErrorKind {
  return RETRIABLE_CODES.has(codeOf(err) ?? '') ? 'retriable' : 'unavailable';
}

export function ioError(action: string, path: string, err: unknown): SinkError {
  return new SinkError(`file sink: cannot ${action} ${path}: ${reason(err)}`, ioErrorKind(err));
}

export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
