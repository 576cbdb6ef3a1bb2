// The file sink: appends each batch to a local file as JSON Lines (see record-json.ts) or as raw
// payload lines, with the rotation scheme described in rotation.ts. One writer per path is assumed
// (one connector owns a file); a failed write is truncated back so no partial line stays behind.
// A file moved, removed or truncated by an outside tool (logrotate) is noticed before the next
// batch: the sink opens a new file at the configured path.
import { constants, type Stats } from 'node:fs';
import { access, mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { FileConfig } from '../../metadata/configs/file.js';
import { notStarted, SinkError, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { fileRootRefusal } from '../../metadata/file-root.js';
import { codeOf, ioError, reason } from './errors.js';
import { encodeLine, encodeLines } from './mapping.js';
import { activePath, nextSizeRotatedPath, planSizeChunks } from './rotation.js';

export interface FileSinkOptions {
  /** clock for hourly/daily file names; defaults to Date.now */
  now?: () => number;
  /** size limit in bytes, replacing max_size_mb/max_size_gb (tests only) */
  maxBytesOverride?: number;
}

const MIB = 1024 * 1024;

export function createFileSink(config: FileConfig, ctx: SinkContext, options: FileSinkOptions = {}): ConnectorSink {
  return new FileSink(config, ctx, options);
}

class FileSink implements ConnectorSink {
  private readonly base: string;
  private readonly limitBytes: number;
  private readonly now: () => number;
  private fh: FileHandle | undefined;
  private openPath: string | undefined;
  /** size of the open file, from its stat before each batch plus our writes */
  private size = 0;
  /** identity of the open file, to notice when the path no longer names it */
  private openIno = 0;
  private openDev = 0;
  private started = false;

  constructor(
    private readonly cfg: FileConfig,
    private readonly ctx: SinkContext,
    options: FileSinkOptions,
  ) {
    this.base = resolve(cfg.local_file_path);
    this.now = options.now ?? Date.now;
    this.limitBytes = options.maxBytesOverride ?? (cfg.max_size_mb !== undefined ? cfg.max_size_mb * MIB : cfg.max_size_gb * 1024 * MIB);
  }

  async validate(): Promise<void> {
    // a definition stored before SLUICE_FILE_ROOT was set, or a symlink under it, is stopped here
    const refused = fileRootRefusal(this.base);
    if (refused) throw new Error(`file sink: local_file_path ${this.base} ${refused}`);
    const existing = await statOrUndefined(this.base);
    if (existing?.isDirectory()) throw new Error(`file sink: ${this.base} is a directory; local_file_path must name a file`);
    if (existing) {
      await access(this.base, constants.W_OK).catch((err: unknown) => {
        throw new Error(`file sink: cannot write ${this.base}: ${reason(err)}`);
      });
      return;
    }
    // Find the nearest existing ancestor without creating anything: it must be a writable directory.
    const wanted = dirname(this.base);
    let dir = wanted;
    let st = await statOrUndefined(dir);
    while (!st) {
      const parent = dirname(dir);
      if (parent === dir) throw new Error(`file sink: cannot create directory ${wanted}: no existing ancestor`);
      dir = parent;
      st = await statOrUndefined(dir);
    }
    if (!st.isDirectory()) throw new Error(`file sink: cannot create directory ${wanted}: ${dir} is not a directory`);
    await access(dir, constants.W_OK | constants.X_OK).catch((err: unknown) => {
      throw new Error(`file sink: cannot create or write directory ${wanted}: ${dir} is not writable (${reason(err)})`);
    });
  }

  async init(): Promise<void> {
    await this.ensureOpen(activePath(this.base, this.cfg.rotation_strategy, this.now()));
    this.started = true;
    this.ctx.log('info', 'file sink opened', { path: this.openPath, format: this.cfg.format, rotation: this.cfg.rotation_strategy });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    if (!this.started) throw notStarted('file');
    if (records.length === 0) return { failed: [] };
    await this.ensureOpen(activePath(this.base, this.cfg.rotation_strategy, this.now()));
    if (this.cfg.rotation_strategy !== 'size') {
      await this.append(encodeLines(records, this.cfg.format));
      return { failed: [] };
    }
    // size rotation cuts between lines: each line's length is needed
    const lines = records.map((r) => encodeLine(r, this.cfg.format));
    const chunks = planSizeChunks(lines.map((l) => l.length), this.size, this.limitBytes);
    for (const chunk of chunks) {
      try {
        if (chunk.rotateBefore) await this.rotate();
        await this.append(Buffer.concat(lines.slice(chunk.start, chunk.end)));
      } catch (err) {
        if (chunk.start === 0) throw err;
        // Earlier chunks are on disk: report only the rest as failed.
        const error = err instanceof SinkError ? err : SinkError.unavailable(reason(err));
        return { failed: records.slice(chunk.start).map((_, i) => ({ index: chunk.start + i, error })) };
      }
    }
    return { failed: [] };
  }

  async cleanup(): Promise<void> {
    this.started = false;
    await this.close();
  }

  private async ensureOpen(path: string): Promise<void> {
    if (this.fh && this.openPath === path) {
      // logrotate and friends move or delete the file under us (or truncate it in place): write
      // on into a fresh file at the configured path, never into the moved one
      const now = await stat(path).catch(() => undefined);
      if (now && now.ino === this.openIno && now.dev === this.openDev) {
        this.size = now.size;
        return;
      }
      this.ctx.log('info', 'file sink reopening: the file was moved or removed', { path });
    }
    await this.close();
    const dir = dirname(path);
    await mkdir(dir, { recursive: true }).catch((err: unknown) => {
      throw ioError('create directory', dir, err);
    });
    const fh = await open(path, 'a').catch((err: unknown) => {
      throw ioError('open', path, err);
    });
    try {
      const st = await fh.stat();
      this.size = st.size;
      this.openIno = st.ino;
      this.openDev = st.dev;
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw ioError('stat', path, err);
    }
    this.fh = fh;
    this.openPath = path;
    if (this.cfg.fsync) await syncDir(dir);
  }

  /** One logical write of whole lines; on failure the file is cut back to its previous size. */
  private async append(buf: Buffer): Promise<void> {
    const fh = this.fh;
    const path = this.openPath ?? this.base;
    if (!fh) throw SinkError.unavailable(`file sink: ${path} is not open`);
    const before = this.size;
    try {
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off);
        if (bytesWritten <= 0) throw new Error('short write');
        off += bytesWritten;
      }
      if (this.cfg.fsync) await fh.sync();
      this.size = before + buf.length;
    } catch (err) {
      await fh.truncate(before).catch(() => undefined);
      throw ioError('write', path, err);
    }
  }

  /** Size rotation: rename the full current file away (never onto an existing name), open a fresh one. */
  private async rotate(): Promise<void> {
    await this.close();
    try {
      const target = await nextSizeRotatedPath(this.base);
      await rename(this.base, target);
      this.ctx.log('info', 'file sink rotated', { path: this.base, rotated_to: target });
    } catch (err) {
      // The current file (or its directory) vanished: nothing to rename, start afresh.
      if (codeOf(err) !== 'ENOENT') throw ioError('rotate', this.base, err);
    }
    await this.ensureOpen(this.base);
  }

  private async close(): Promise<void> {
    const fh = this.fh;
    const path = this.openPath;
    this.fh = undefined;
    this.openPath = undefined;
    if (!fh) return;
    await fh.close().catch((err: unknown) => {
      throw ioError('close', path ?? this.base, err);
    });
  }
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new Error(`file sink: cannot inspect ${path}: ${reason(err)}`);
  }
}

/** Makes a new or renamed directory entry durable; best effort where directories cannot be synced. */
async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r').catch(() => undefined);
  if (!dh) return;
  await dh.sync().catch(() => undefined);
  await dh.close().catch(() => undefined);
}
