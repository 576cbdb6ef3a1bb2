// A batch → one request body: always a JSON array of the shared record JSON (see record-json.ts),
// whatever the batch size.
import { recordJsonText } from '../record-json.js';
import type { SinkRecord } from '../sink.js';

export function batchBody(records: readonly SinkRecord[]): string {
  return `[${records.map(recordJsonText).join(',')}]`;
}
