// What a RabbitMQ failure means for the core, by the contract's rule (sink.ts). Refused or lost
// connections, refused credentials or vhost (ACCESS_REFUSED, NOT_ALLOWED on connect), a channel
// or connection that the broker closes (NOT_FOUND: the exchange is missing — an operator
// declares it; ACCESS_REFUSED: no write permission; CONNECTION_FORCED; a resource alarm) and a
// confirm that never comes are unavailable. A basic.nack (the broker could not take that message
// now) is retriable. A message the broker returns as unroutable under the mandatory flag, and a
// message larger than the broker's max_message_size (the channel closes with PRECONDITION_FAILED
// naming the size), are permanent: the record itself is the problem.
import { SinkError, type SinkErrorKind } from '../sink.js';

const MAX_MESSAGE_CHARS = 300;

/** The AMQP reply code of a channel or connection close, when the error carries one. */
export function replyCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A broker refusal of a message's size: about that record, so permanent (the core bisects the batch to it). */
export function isMessageTooLarge(err: unknown): boolean {
  return replyCode(err) === 406 && err instanceof Error && /max(imum)? (message )?size|larger than configured max size/i.test(err.message);
}

export function rabbitmqErrorKind(err: unknown): SinkErrorKind {
  return isMessageTooLarge(err) ? 'permanent' : 'unavailable';
}

export function describeAmqpError(err: unknown): string {
  let text: string;
  if (err instanceof AggregateError && err.errors.length > 0) text = [...new Set(err.errors.map(describeAmqpError))].join('; ');
  else if (err instanceof Error) text = err.message || ((err as Error & { code?: unknown }).code as string | undefined) || err.name;
  else text = String(err);
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MESSAGE_CHARS ? `${t.slice(0, MAX_MESSAGE_CHARS)}…` : t;
}

/** A hint for the errors an operator fixes. */
export function hintFor(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/ACCESS[-_]REFUSED/.test(text)) return '; check username, password and the user\'s permissions on the virtual host';
  if (/NOT[-_]ALLOWED/.test(text)) return '; check that the virtual host exists and the user may use it';
  if (/NOT[-_]FOUND/.test(text)) return '; declare the exchange (and bind a queue to it) first';
  return '';
}

/** A failure of the whole batch (channel or connection gone) as a SinkError of its kind. */
export function batchError(err: unknown, where: string): SinkError {
  return new SinkError(`rabbitmq: publishing to ${where} failed: ${describeAmqpError(err)}${hintFor(err)}`, rabbitmqErrorKind(err));
}
