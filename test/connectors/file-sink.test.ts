import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { createFileSink, type FileSinkOptions } from '../../src/connectors/file/sink.js';
import type { FileConfig } from '../../src/metadata/configs/file.js';
import { planSizeChunks } from '../../src/connectors/file/rotation.js';
import { SinkError, type ConnectorSink, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { fileType } from '../../src/metadata/configs/file.js';

const ctx: SinkContext = { tenant: 'default', connectorName: 'file-test', log: () => undefined };
let dir = '';
const open: ConnectorSink[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-file-'));
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function rec(offset: number, payload: Buffer | string, topic = 'plant/line1/temp'): SinkRecord {
  return { id: `e-${offset}`, offset, topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: 1, retain: false, timestamp: 1_790_000_000_000 + offset };
}

function cfg(over: Partial<FileConfig> = {}): FileConfig {
  return { local_file_path: join(dir, 'out', 'messages.jsonl'), format: 'json_lines', rotation_strategy: 'none', max_size_gb: 1, fsync: false, ...over };
}

async function started(config: FileConfig, options?: FileSinkOptions): Promise<ConnectorSink> {
  const sink = createFileSink(config, ctx, options);
  open.push(sink);
  await sink.validate();
  await sink.init();
  return sink;
}

/** Every file of the output directory in write order (rotated by index, then the current one) as parsed lines. */
function readAll(sub = 'out'): { name: string; size: number; firstLineBytes: number; lines: { offset: number; payload: string }[] }[] {
  const names = readdirSync(join(dir, sub)).sort((a, b) => (a === 'messages.jsonl' ? 1 : b === 'messages.jsonl' ? -1 : a.localeCompare(b)));
  return names.map((name) => {
    const text = readFileSync(join(dir, sub, name), 'utf8');
    assert.ok(text === '' || text.endsWith('\n'), `${name} ends mid-line`);
    const lines = text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { offset: number; payload: string });
    const firstLineBytes = Buffer.byteLength(text.slice(0, text.indexOf('\n') + 1));
    return { name, size: statSync(join(dir, sub, name)).size, firstLineBytes, lines };
  });
}

test('json_lines writes one documented JSON record per line', async () => {
  const sink = await started(cfg());
  const r1 = rec(1, '{"t":21.5}');
  const r2 = { ...rec(2, 'héllo 👋', 'a/b'), qos: 0 as const, retain: true, properties: { contentType: 'text/plain', userProperties: { k: 'v' } } };
  assert.deepEqual(await sink.sendBatch([r1, r2]), { failed: [] });
  const text = readFileSync(join(dir, 'out', 'messages.jsonl'), 'utf8');
  assert.equal(
    text,
    '{"id":"e-1","topic":"plant/line1/temp","payload":"{\\"t\\":21.5}","payload_encoding":"utf8","qos":1,"retain":false,"timestamp":1790000000001,"offset":1}\n' +
      '{"id":"e-2","topic":"a/b","payload":"héllo 👋","payload_encoding":"utf8","qos":0,"retain":true,"timestamp":1790000000002,"offset":2,"properties":{"content_type":"text/plain","user_properties":{"k":"v"}}}\n',
  );
});

test('a binary payload is written as base64 with its flag', async () => {
  const sink = await started(cfg());
  const bytes = Buffer.from([0x00, 0xff, 0x0a, 0x80, 0x7f]);
  await sink.sendBatch([rec(1, bytes)]);
  const line = JSON.parse(readFileSync(join(dir, 'out', 'messages.jsonl'), 'utf8')) as { payload: string; payload_encoding: string };
  assert.equal(line.payload_encoding, 'base64');
  assert.ok(Buffer.from(line.payload, 'base64').equals(bytes));
});

test('raw writes the payload bytes followed by a newline', async () => {
  const path = join(dir, 'raw.bin');
  const sink = await started(cfg({ local_file_path: path, format: 'raw' }));
  await sink.sendBatch([rec(1, 'first'), rec(2, Buffer.from([0xff, 0x00, 0xfe])), rec(3, '')]);
  assert.ok(readFileSync(path).equals(Buffer.from([...Buffer.from('first\n'), 0xff, 0x00, 0xfe, 0x0a, 0x0a])));
});

test('an empty batch writes nothing and reports nothing failed', async () => {
  const sink = await started(cfg());
  assert.deepEqual(await sink.sendBatch([]), { failed: [] });
  assert.equal(readFileSync(join(dir, 'out', 'messages.jsonl'), 'utf8'), '');
});

test('a restart appends to the current file without overwriting it', async () => {
  const first = await started(cfg());
  await first.sendBatch([rec(1, 'a'), rec(2, 'b')]);
  await first.cleanup();
  await first.cleanup(); // safe twice
  const second = await started(cfg());
  await second.sendBatch([rec(3, 'c')]);
  assert.deepEqual(readAll().flatMap((f) => f.lines.map((l) => l.offset)), [1, 2, 3]);
});

test('size rotation never splits a record and never exceeds the limit', async () => {
  const limit = 1000;
  const sink = await started(cfg({ rotation_strategy: 'size' }), { maxBytesOverride: limit });
  let offset = 0;
  for (let b = 0; b < 6; b++) {
    const batch = Array.from({ length: 7 }, () => rec(++offset, 'x'.repeat(20 + ((offset * 37) % 90))));
    assert.deepEqual(await sink.sendBatch(batch), { failed: [] });
  }
  const files = readAll();
  assert.ok(files.length >= 3, `expected rotation, got ${files.map((f) => f.name).join(', ')}`);
  assert.deepEqual(files.slice(0, -1).map((f) => f.name), files.slice(0, -1).map((_, i) => `messages.${String(i + 1).padStart(5, '0')}.jsonl`));
  for (const f of files) assert.ok(f.size <= limit, `${f.name} is ${f.size} bytes`);
  // rotated files were full: the next record would not have fitted
  for (let i = 0; i < files.length - 1; i++) {
    assert.ok(files[i]!.size + files[i + 1]!.firstLineBytes > limit, `${files[i]!.name} rotated early at ${files[i]!.size}`);
  }
  assert.deepEqual(files.flatMap((f) => f.lines.map((l) => l.offset)), Array.from({ length: offset }, (_, i) => i + 1));
});

test('a file moved away (logrotate) or removed is noticed: the next batch opens a new file at the path', async () => {
  const sink = await started(cfg());
  const path = join(dir, 'out', 'messages.jsonl');
  const offsets = (p: string) => readFileSync(p, 'utf8').split('\n').slice(0, -1).map((l) => (JSON.parse(l) as { offset: number }).offset);
  await sink.sendBatch([rec(1, 'a'), rec(2, 'b')]);
  renameSync(path, `${path}.1`);
  await sink.sendBatch([rec(3, 'c')]);
  assert.deepEqual(offsets(`${path}.1`), [1, 2], 'the moved file keeps what it had and gets nothing more');
  assert.deepEqual(offsets(path), [3]);
  unlinkSync(path);
  await sink.sendBatch([rec(4, 'd')]);
  assert.deepEqual(offsets(path), [4], 'a removed file is created again');
});

test('a file truncated in place (copytruncate) restarts the size count', async () => {
  const limit = 1000;
  const sink = await started(cfg({ rotation_strategy: 'size' }), { maxBytesOverride: limit });
  const path = join(dir, 'out', 'messages.jsonl');
  let offset = 0;
  // two records of ~185 bytes per batch: three batches exceed the limit, two do not
  const batch = () => Array.from({ length: 2 }, () => rec(++offset, 'x'.repeat(60)));
  await sink.sendBatch(batch());
  truncateSync(path, 0);
  await sink.sendBatch(batch());
  await sink.sendBatch(batch());
  // without noticing the truncation the sink would count three batches and rotate
  assert.deepEqual(readdirSync(join(dir, 'out')), ['messages.jsonl']);
  assert.ok(statSync(path).size <= limit);
});

test('a record larger than the limit goes alone into its own file', async () => {
  const sink = await started(cfg({ rotation_strategy: 'size' }), { maxBytesOverride: 300 });
  await sink.sendBatch([rec(1, 'small'), rec(2, 'y'.repeat(1000)), rec(3, 'small again')]);
  const files = readAll();
  assert.deepEqual(files.map((f) => f.lines.map((l) => l.offset)), [[1], [2], [3]]);
  assert.equal(files[1]!.lines[0]!.payload, 'y'.repeat(1000));
});

test('size rotation from max_size_mb: 1 MiB files from ~3 MiB of records', async () => {
  const sink = await started(cfg({ rotation_strategy: 'size', max_size_mb: 1, max_size_gb: 1 }));
  let offset = 0;
  for (let b = 0; b < 30; b++) {
    const batch = Array.from({ length: 100 }, () => rec(++offset, 'p'.repeat(900 + (offset % 200))));
    assert.deepEqual(await sink.sendBatch(batch), { failed: [] });
  }
  const files = readAll();
  assert.equal(files.length, 4, files.map((f) => `${f.name}:${f.size}`).join(', '));
  for (const f of files) assert.ok(f.size <= 1024 * 1024, `${f.name} is ${f.size} bytes`);
  files.slice(0, -1).forEach((f, i) => assert.ok(f.size + files[i + 1]!.firstLineBytes > 1024 * 1024, `${f.name} rotated early at ${f.size}`));
  assert.deepEqual(files.flatMap((f) => f.lines.map((l) => l.offset)), Array.from({ length: offset }, (_, i) => i + 1));
});

test('size rotation after a restart counts the existing size and skips names already taken', async () => {
  const first = await started(cfg({ rotation_strategy: 'size' }), { maxBytesOverride: 400 });
  // each line is ~180 bytes: two fit in 400, three do not
  await first.sendBatch([rec(1, 'a'.repeat(50)), rec(2, 'b'.repeat(50))]);
  assert.deepEqual(readdirSync(join(dir, 'out')), ['messages.jsonl']);
  await first.cleanup();
  writeFileSync(join(dir, 'out', 'messages.00003.jsonl'), 'earlier rotated file\n');
  const second = await started(cfg({ rotation_strategy: 'size' }), { maxBytesOverride: 400 });
  await second.sendBatch([rec(3, 'c'.repeat(50)), rec(4, 'd'.repeat(50))]);
  assert.equal(readFileSync(join(dir, 'out', 'messages.00003.jsonl'), 'utf8'), 'earlier rotated file\n');
  const offsets = (name: string) => readFileSync(join(dir, 'out', name), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { offset: number }).offset);
  assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['messages.00003.jsonl', 'messages.00004.jsonl', 'messages.jsonl']);
  assert.deepEqual(offsets('messages.00004.jsonl'), [1, 2]);
  assert.deepEqual(offsets('messages.jsonl'), [3, 4]);
});

test('hourly rotation writes one file per UTC hour; a restart in the same hour appends', async () => {
  let now = Date.parse('2026-11-22T13:59:59.500Z');
  const clock = { now: () => now };
  const sink = await started(cfg({ rotation_strategy: 'hourly' }), clock);
  await sink.sendBatch([rec(1, 'a'), rec(2, 'b')]);
  now = Date.parse('2026-11-22T14:00:00.000Z');
  await sink.sendBatch([rec(3, 'c')]);
  await sink.cleanup();
  const again = await started(cfg({ rotation_strategy: 'hourly' }), clock);
  await again.sendBatch([rec(4, 'd')]);
  const byName = Object.fromEntries(readAll().map((f) => [f.name, f.lines.map((l) => l.offset)]));
  assert.deepEqual(byName, { 'messages.2026-11-22T13.jsonl': [1, 2], 'messages.2026-11-22T14.jsonl': [3, 4] });
});

test('daily rotation names files by UTC date', async () => {
  let now = Date.parse('2026-11-22T23:59:59.999Z');
  const sink = await started(cfg({ rotation_strategy: 'daily' }), { now: () => now });
  await sink.sendBatch([rec(1, 'a')]);
  now = Date.parse('2026-11-23T00:00:00.000Z');
  await sink.sendBatch([rec(2, 'b'), rec(3, 'c')]);
  const byName = Object.fromEntries(readAll().map((f) => [f.name, f.lines.map((l) => l.offset)]));
  assert.deepEqual(byName, { 'messages.2026-11-22.jsonl': [1], 'messages.2026-11-23.jsonl': [2, 3] });
});

test('a missing parent directory is created; validate creates nothing', async () => {
  const path = join(dir, 'a', 'b', 'c', 'm.jsonl');
  const sink = createFileSink(cfg({ local_file_path: path, fsync: true }), ctx);
  open.push(sink);
  await sink.validate();
  assert.equal(existsSync(join(dir, 'a')), false);
  await sink.init();
  await sink.sendBatch([rec(1, 'x')]);
  assert.equal(readFileSync(path, 'utf8').split('\n').length, 2);
});

test('a path that is a directory: validate names it, init fails as unavailable, sendBatch refuses before init', async () => {
  const path = join(dir, 'is-a-dir');
  mkdirSync(path);
  const sink = createFileSink(cfg({ local_file_path: path }), ctx);
  open.push(sink);
  await assert.rejects(sink.validate(), (err: Error) => err.message.includes(path) && /directory/.test(err.message));
  await assert.rejects(sink.init(), (err: unknown) => err instanceof SinkError && err.kind === 'unavailable' && err.message.includes(path) && /EISDIR/.test(err.message));
  await assert.rejects(sink.sendBatch([rec(1, 'x')]), (err: unknown) => err instanceof SinkError && err.kind === 'unavailable' && /not started/.test(err.message));
});

test('validate fails when a parent is a file', async () => {
  writeFileSync(join(dir, 'plain'), 'x');
  const path = join(dir, 'plain', 'sub', 'm.jsonl');
  const sink = createFileSink(cfg({ local_file_path: path }), ctx);
  await assert.rejects(sink.validate(), (err: Error) => err.message.includes(join(dir, 'plain', 'sub')) && /not a directory/.test(err.message));
});

test('ENOSPC is an unavailable whole-batch error', { skip: !existsSync('/dev/full') && 'no /dev/full' }, async () => {
  const sink = createFileSink(cfg({ local_file_path: '/dev/full', format: 'raw' }), ctx);
  open.push(sink);
  await sink.init();
  await assert.rejects(sink.sendBatch([rec(1, 'x')]), (err: unknown) => err instanceof SinkError && err.kind === 'unavailable' && /ENOSPC/.test(err.message));
});

test('the registered loader builds the sink from a raw config', async () => {
  assert.ok(fileType.loadSink);
  const factory = await fileType.loadSink();
  const path = join(dir, 'loaded.jsonl');
  const sink = factory.createSink({ local_file_path: path, format: 'json_lines', rotation_strategy: 'none', max_size_gb: 1, fsync: false }, ctx);
  open.push(sink);
  await sink.init();
  await sink.sendBatch([rec(9, 'z')]);
  assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { offset: number }).offset, 9);
});

test('planSizeChunks rotates between records only', () => {
  assert.deepEqual(planSizeChunks([10, 10, 10], 0, 25), [
    { start: 0, end: 2, rotateBefore: false },
    { start: 2, end: 3, rotateBefore: true },
  ]);
  assert.deepEqual(planSizeChunks([10], 20, 25), [{ start: 0, end: 1, rotateBefore: true }]);
  assert.deepEqual(planSizeChunks([50, 5], 0, 25), [
    { start: 0, end: 1, rotateBefore: false },
    { start: 1, end: 2, rotateBefore: true },
  ]);
  assert.deepEqual(planSizeChunks([5], 0, 25), [{ start: 0, end: 1, rotateBefore: false }]);
});
