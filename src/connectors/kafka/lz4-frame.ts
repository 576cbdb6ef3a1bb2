// LZ4 frames as Kafka reads them: Kafka's decoder (KafkaLZ4BlockInputStream) refuses dependent
// blocks, which is what lz4js's own frame writer produces, so the frame is written here around
// lz4js's block compressor: version 01, independent 64 KiB blocks (a fresh match table per block),
// no checksums, no content size, as Kafka's own producer writes them.
import lz4 from 'lz4js';
import xxhash from 'lz4js/xxh32.js';

const MAGIC = 0x184d2204;
const FLG = 0x40 | 0x20; // version 01 | block independence
const BD = 4 << 4; // block maximum size 64 KiB
const BLOCK = 64 * 1024;
const UNCOMPRESSED = 0x80000000;

export function lz4FrameCompress(src: Uint8Array): Buffer {
  const blockBuf = new Uint8Array(lz4.compressBound(BLOCK));
  const parts: Buffer[] = [];
  const header = Buffer.alloc(7);
  header.writeUInt32LE(MAGIC, 0);
  header[4] = FLG;
  header[5] = BD;
  header[6] = (xxhash.hash(0, header, 4, 2) >>> 8) & 0xff;
  parts.push(header);
  for (let at = 0; at < src.length; at += BLOCK) {
    const size = Math.min(BLOCK, src.length - at);
    const n = lz4.compressBlock(src, blockBuf, at, size, new Uint32Array(1 << 16));
    const len = Buffer.alloc(4);
    if (n === 0 || n >= size) {
      len.writeUInt32LE((UNCOMPRESSED | size) >>> 0, 0);
      parts.push(len, Buffer.from(src.subarray(at, at + size)));
    } else {
      len.writeUInt32LE(n, 0);
      parts.push(len, Buffer.from(blockBuf.subarray(0, n)));
    }
  }
  parts.push(Buffer.alloc(4)); // end mark
  return Buffer.concat(parts);
}

export function lz4FrameDecompress(src: Uint8Array): Buffer {
  return Buffer.from(lz4.decompress(src));
}
