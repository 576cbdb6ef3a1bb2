// A batch → the objects it is stored as. Each record's key prefix is rendered from the
// `object_key_prefix` template (record variables and the date fields of its timestamp); records
// with the same prefix go into one object, in batch order. An object's name is derived from the
// ids of its first and last record only, so the same records sent again (a retry after a lost
// answer, a restart) overwrite the same object instead of adding a copy. The body is the shared
// record JSON (record-json.ts), one per line or as one array, optionally gzip-compressed.
import { gzipSync } from 'node:zlib';
import type { S3Config } from '../../metadata/configs/s3.js';
import { fixedText, renderTemplate, type Template } from '../../metadata/template.js';
import { mapBatch } from '../batch-mapping.js';
import { recordJsonText } from '../record-json.js';
import { type BatchResult, SinkError, type SinkRecord } from '../sink.js';

/** S3's longest key, in bytes of UTF-8 */
export const MAX_KEY_BYTES = 1024;

export interface PlannedObject {
  key: string;
  body: Buffer;
  contentType: string;
  contentEncoding?: string;
  /** user metadata (x-amz-meta-*): record count, first and last id */
  metadata: Record<string, string>;
  /** indexes into the batch of the records it holds */
  indexes: number[];
}

export interface ObjectPlan {
  objects: PlannedObject[];
  /** records refused before anything is sent (a prefix without a value, a key too long) */
  failed: BatchResult['failed'];
}

type KeyOptions = Pick<S3Config, 'root' | 'file_extension' | 'compression'>;
type BodyOptions = Pick<S3Config, 'format' | 'compression'>;

/**
 * A record id as a key segment: letters, digits, `.`, `_` and `-` stay, every other byte
 * becomes `~` and two hex digits (`#` of a split record's id is `~23`), so distinct ids stay distinct.
 */
export function idSegment(id: string): string {
  return Array.from(Buffer.from(id, 'utf8'), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9._-]/.test(c) ? c : `~${b.toString(16).padStart(2, '0')}`;
  }).join('');
}

/** `root` and the rendered prefix as the key's directory: no leading, trailing or doubled `/`. */
export function keyDirectory(root: string, prefix: string): string {
  return [root, prefix].map((p) => p.split('/').filter((s) => s !== '').join('/')).filter((p) => p !== '').join('/');
}

export function objectKey(directory: string, firstId: string, lastId: string, o: KeyOptions): string {
  const name = `${idSegment(firstId)}_${idSegment(lastId)}.${o.file_extension}${o.compression === 'gzip' ? '.gz' : ''}`;
  return directory === '' ? name : `${directory}/${name}`;
}

export function objectBody(records: readonly SinkRecord[], o: BodyOptions): { body: Buffer; contentType: string; contentEncoding?: string } {
  const json = records.map(recordJsonText);
  const text = o.format === 'json_array' ? `[${json.join(',')}]` : `${json.join('\n')}\n`;
  const contentType = o.format === 'json_array' ? 'application/json' : 'application/x-ndjson';
  const raw = Buffer.from(text, 'utf8');
  return o.compression === 'gzip' ? { body: gzipSync(raw), contentType, contentEncoding: 'gzip' } : { body: raw, contentType };
}

/** The objects of a batch, one per distinct key directory, in the order their first records come. */
export function planObjects(records: readonly SinkRecord[], prefix: Template, cfg: KeyOptions & BodyOptions): ObjectPlan {
  // a prefix without variables is one directory for every record; otherwise each rendered text is joined once
  const fixed = prefix.parts.every((p) => p.kind === 'text') ? keyDirectory(cfg.root, fixedText(prefix)) : undefined;
  const joined = new Map<string, string>();
  const mapped = mapBatch(records, (r) => {
    if (fixed !== undefined) return fixed;
    const rendered = renderTemplate(prefix, r);
    if ('error' in rendered) return { error: `object_key_prefix: ${rendered.error}` };
    let directory = joined.get(rendered.text);
    if (directory === undefined) {
      directory = keyDirectory(cfg.root, rendered.text);
      joined.set(rendered.text, directory);
    }
    return directory;
  }, 's3');
  const failed = [...mapped.failed];
  const groups = new Map<string, number[]>();
  mapped.items.forEach((directory, i) => {
    const at = mapped.at[i] as number;
    const group = groups.get(directory);
    if (group) group.push(at);
    else groups.set(directory, [at]);
  });
  const objects: PlannedObject[] = [];
  for (const [directory, indexes] of groups) {
    const held = indexes.map((i) => records[i] as SinkRecord);
    const first = held[0] as SinkRecord;
    const last = held[held.length - 1] as SinkRecord;
    const key = objectKey(directory, first.id, last.id, cfg);
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > MAX_KEY_BYTES) {
      // the rendered prefix is the records' own content: refused, and kept from the others' objects
      const error = SinkError.permanent(`s3: the object key is ${bytes} bytes, longer than S3's ${MAX_KEY_BYTES}: ${key.slice(0, 120)}…`);
      for (const index of indexes) failed.push({ index, error });
      continue;
    }
    objects.push({
      key,
      ...objectBody(held, cfg),
      metadata: { 'record-count': String(held.length), 'first-id': first.id, 'last-id': last.id },
      indexes,
    });
  }
  return { objects, failed: failed.sort((x, y) => x.index - y.index) };
}
