// One record → one line: the shared record JSON (json_lines) or the payload bytes as they are (raw),
// each followed by a newline.
import type { FileConfig } from '../../metadata/configs/file.js';
import { recordJsonText } from '../record-json.js';
import type { SinkRecord } from '../sink.js';

const NEWLINE = Buffer.from('\n');

export function encodeLine(record: SinkRecord, format: FileConfig['format']): Buffer {
  if (format === 'raw') return Buffer.concat([record.payload, NEWLINE]);
  return Buffer.from(`${recordJsonText(record)}\n`, 'utf8');
}

/** The lines of a whole batch as one buffer (one copy instead of one per line). */
export function encodeLines(records: readonly SinkRecord[], format: FileConfig['format']): Buffer {
  if (format === 'raw') return Buffer.concat(records.flatMap((r) => [r.payload, NEWLINE]));
  let text = '';
  for (const r of records) text += `${recordJsonText(r)}\n`;
  return Buffer.from(text, 'utf8');
}
