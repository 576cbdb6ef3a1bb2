// One record → one line: the shared record JSON (json_lines) or the payload bytes as they are (raw),
// each followed by a newline.
import type { FileConfig } from '../../metadata/configs/file.js';
import { recordToJson } from '../record-json.js';
import type { SinkRecord } from '../sink.js';

const NEWLINE = Buffer.from('\n');

export function encodeLine(record: SinkRecord, format: FileConfig['format']): Buffer {
  if (format === 'raw') return Buffer.concat([record.payload, NEWLINE]);
  return Buffer.from(`${JSON.stringify(recordToJson(record))}\n`, 'utf8');
}
