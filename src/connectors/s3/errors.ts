// What an S3 failure means for the core, by the contract's rule (sink.ts). An upload is one
// object of whole records, and a store takes any bytes, so almost nothing is about a record:
// no answer (refused, reset, DNS, timeout), 5xx and SlowDown (the store asks everyone to slow
// down: waiting loses nothing), refused credentials or rights, a missing bucket, a wrong region
// or endpoint — unavailable. One upload that may pass when sent again (RequestTimeout: the store
// gave up reading it, BadDigest, 408/429) — retriable. Only an object the store refuses for its
// size or its key (EntityTooLarge, KeyTooLongError, MetadataTooLarge) is permanent, and the core
// bisects the batch down to smaller objects. An error code not listed is unavailable.
import { S3ServiceException } from '@aws-sdk/client-s3';
import { httpStatusKind, networkReason, parseRetryAfter } from '../http-failure.js';
import { SinkError, type SinkErrorKind } from '../sink.js';

/** the credentials or rights are refused: an operator fixes the secret or the policy */
const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired',
  'InvalidSecurity', 'AccountProblem', 'AllAccessDisabled', 'NotSignedUp', 'RequestTimeTooSkewed', 'CredentialsNotSupported',
]);

/** the config names nothing that takes the object (bucket, region, endpoint) */
const TARGET_CODES = new Set([
  'NoSuchBucket', 'InvalidBucketName', 'PermanentRedirect', 'TemporaryRedirect', 'Redirect', 'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException', 'InvalidBucketState', 'MethodNotAllowed', 'NotImplemented',
]);

const RETRIABLE_CODES = new Set(['RequestTimeout', 'BadDigest', 'OperationAborted', 'RequestTimeoutException', 'ThrottlingException']);

const PERMANENT_CODES = new Set(['EntityTooLarge', 'KeyTooLongError', 'MetadataTooLarge', 'InvalidObjectName']);

const UNAVAILABLE_CODES = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'InternalFailure', 'Busy', 'NoSuchKey', 'NotFound']);

/** The error code S3 answered with (`NoSuchBucket`), or undefined when there was no answer. */
export function s3Code(err: unknown): string | undefined {
  if (!(err instanceof S3ServiceException)) return undefined;
  // a HEAD answer has no body: the SDK names it after the status (NotFound, Forbidden) or Unknown
  return err.name === 'Unknown' || err.name === 'UnknownError' ? undefined : err.name;
}

function s3Status(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
}

export function s3ErrorKind(err: unknown): SinkErrorKind {
  const status = s3Status(err);
  if (status === undefined) return 'unavailable';
  const code = s3Code(err);
  if (code !== undefined) {
    if (CREDENTIAL_CODES.has(code) || TARGET_CODES.has(code) || UNAVAILABLE_CODES.has(code)) return 'unavailable';
    if (RETRIABLE_CODES.has(code)) return 'retriable';
    if (PERMANENT_CODES.has(code)) return 'permanent';
  }
  if (status === 413) return 'permanent';
  // an unknown 4xx: nothing says it is about the records
  const kind = httpStatusKind(status);
  return kind === 'permanent' ? 'unavailable' : kind;
}

/** A hint for the failures an operator fixes. */
export function s3Hint(err: unknown): string {
  const code = s3Code(err);
  const status = s3Status(err);
  if (code === 'NoSuchBucket' || (status === 404 && (code === undefined || code === 'NotFound'))) return '; create the bucket (Sluice does not create it)';
  if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch') return '; check access_key_id and secret_access_key';
  if (code === 'ExpiredToken' || code === 'InvalidToken') return '; the session_token has expired or is not valid';
  if (code === 'AccessDenied' || (code === undefined && status === 403)) return '; check the credentials, and that they may s3:ListBucket and s3:PutObject on the bucket';
  if (code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed' || status === 301) return '; the bucket is in another region: set region to it';
  if (code === 'RequestTimeTooSkewed') return '; this machine\'s clock is off';
  if (code === undefined && status === undefined && err instanceof Error && err.name === 'CredentialsProviderError') return '; no credentials found: set access_key_id and secret_access_key, or give the process an AWS credential source';
  return '';
}

const MAX_MESSAGE_CHARS = 400;

export function describeS3Error(err: unknown, timeoutMs: number): string {
  let text: string;
  const status = s3Status(err);
  if (status !== undefined) {
    const code = s3Code(err);
    const message = err instanceof Error && err.message !== code && err.message !== 'UnknownError' ? err.message : '';
    text = `HTTP ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  } else text = networkReason(err, timeoutMs);
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…` : t;
}

/** The SinkError of a failed request; `what` says which (`PUT s3://bucket/key`). */
export function s3Error(err: unknown, what: string, timeoutMs: number): SinkError {
  const retryAfter = err instanceof S3ServiceException ? parseRetryAfter(retryAfterHeader(err), Date.now()) : undefined;
  return new SinkError(`s3: ${what} failed: ${describeS3Error(err, timeoutMs)}${s3Hint(err)}`, s3ErrorKind(err), retryAfter);
}

function retryAfterHeader(err: S3ServiceException): string | null {
  const headers = (err.$response as { headers?: Record<string, string | undefined> } | undefined)?.headers;
  return headers?.['retry-after'] ?? null;
}
