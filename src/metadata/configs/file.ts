import Type, { type Static } from 'typebox';
import type { ConnectorType } from '../connector-type.js';
import { fileRootRule } from '../file-root.js';

export const fileSchema = Type.Object(
  {
    local_file_path: Type.String({ minLength: 1, maxLength: 4096, pattern: '^[^\\u0000]*$', 'x-rule': 'must not contain a NUL character', description: 'File to append to; rotated files get a suffix before the extension.', examples: ['/var/lib/sluice/out/messages.jsonl'] }),
    format: Type.Enum(['json_lines', 'raw'], { default: 'json_lines', description: 'json_lines: one JSON record per line; raw: the payload followed by a newline.' }),
    rotation_strategy: Type.Enum(['none', 'size', 'hourly', 'daily'], { default: 'none', description: 'When to start a new file. A record is never split and no file is overwritten.' }),
    max_size_gb: Type.Integer({ minimum: 1, maximum: 10, default: 1, description: 'File size limit for size rotation, in GiB (RobustMQ field).' }),
    max_size_mb: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_240, description: 'File size limit for size rotation, in MiB; takes precedence over max_size_gb.' })),
    fsync: Type.Boolean({ default: false, description: 'fsync the file after every batch before it counts as written.' }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { local_file_path: '/var/lib/sluice/out/messages.jsonl' },
      { local_file_path: '/var/lib/sluice/out/messages.jsonl', rotation_strategy: 'daily', fsync: true },
    ],
  },
);

export type FileConfig = Static<typeof fileSchema>;

export const fileType: ConnectorType<typeof fileSchema> = {
  name: 'file',
  aliases: ['localfile', 'local_file'],
  title: 'Local file',
  description: 'Appends each message to a local file as JSON Lines (or raw payload lines), with rotation.',
  inFlight: { default: 1, max: 1, why: 'a file keeps its lines in the order they were written' },
  loadSink: () => import('../../connectors/file/index.js'),
  schema: fileSchema,
  check: (cfg) => {
    const rule = fileRootRule(cfg.local_file_path);
    return rule ? [{ path: 'local_file_path', rule }] : [];
  },
};
