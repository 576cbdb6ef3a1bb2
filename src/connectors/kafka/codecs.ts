// The record-batch codecs kafkajs lacks (it ships gzip only), registered once per process:
// snappy (kafkajs-snappy, pure JS, reads xerial frames as Java producers write them), LZ4 frames
// (lz4js's block compressor, pure JS, framed as Kafka wants: lz4-frame.ts) and zstd (the zstd C library compiled to WebAssembly). No native build step,
// so `npm ci` stays the same on every machine.
import { compress as zstdCompress, decompress as zstdDecompress, init as zstdInit } from '@bokuweb/zstd-wasm';
import kafkajs from 'kafkajs';
import snappyCodec from 'kafkajs-snappy';
import { lz4FrameCompress, lz4FrameDecompress } from './lz4-frame.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;

/** What kafkajs calls with a codec: the encoder's buffer in, the compressed bytes out (and back). */
interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** zstd level 3 is zstd's and Kafka's own default */
const ZSTD_LEVEL = 3;

const lz4Codec = (): Codec => ({
  compress: async (encoder) => lz4FrameCompress(encoder.buffer),
  decompress: async (buffer) => lz4FrameDecompress(buffer),
});

const zstdCodec = (): Codec => ({
  compress: async (encoder) => Buffer.from(zstdCompress(encoder.buffer, ZSTD_LEVEL)),
  decompress: async (buffer) => Buffer.from(zstdDecompress(buffer)),
});

let registered: Promise<void> | undefined;

/** Makes snappy, lz4 and zstd usable by every kafkajs producer and consumer of this process. */
export function registerCodecs(): Promise<void> {
  registered ??= zstdInit().then(() => {
    const codecs = CompressionCodecs as unknown as Record<number, () => Codec>;
    codecs[CompressionTypes.Snappy] = snappyCodec as () => Codec;
    codecs[CompressionTypes.LZ4] = lz4Codec;
    codecs[CompressionTypes.ZSTD] = zstdCodec;
  });
  return registered;
}
