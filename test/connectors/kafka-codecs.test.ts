// The snappy, lz4 and zstd codecs registered for kafkajs (src/connectors/kafka/codecs.ts): each
// round-trips any bytes; the LZ4 frame has the header Kafka's decoder accepts. That the broker
// takes them is checked against a real Kafka in kafka-integration.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { registerCodecs } from '../../src/connectors/kafka/codecs.js';
import { lz4FrameCompress } from '../../src/connectors/kafka/lz4-frame.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const samples = (): Buffer[] => [
  Buffer.alloc(0),
  Buffer.from('x'),
  Buffer.from('{"seq":1,"temp":21.5}'.repeat(50)),
  randomBytes(70_000), // incompressible, more than one 64 KiB LZ4 block
  Buffer.concat([randomBytes(100_000), Buffer.alloc(200_000, 'abc')]),
];

test('snappy, lz4 and zstd round-trip every sample and shrink repetitive data', async () => {
  await registerCodecs();
  for (const type of [CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
    const codec = (CompressionCodecs as unknown as Record<number, () => Codec>)[type]?.();
    assert.ok(codec, `codec ${type} registered`);
    for (const s of samples()) {
      const packed = await codec.compress({ buffer: s });
      assert.ok((await codec.decompress(packed)).equals(s), `codec ${type}, ${s.length} bytes`);
    }
    const repetitive = Buffer.alloc(100_000, 'abcd');
    assert.ok((await codec.compress({ buffer: repetitive })).length < 10_000, `codec ${type} compresses`);
  }
});

test('the LZ4 frame is the one Kafka reads: version 01, independent 64 KiB blocks, a valid header checksum, an end mark', () => {
  const f = lz4FrameCompress(Buffer.alloc(150_000, 'z'));
  assert.equal(f.readUInt32LE(0), 0x184d2204);
  assert.equal(f[4], 0x60, 'FLG: version 01 and block independence, no checksums, no content size');
  assert.equal(f[5], 0x40, 'BD: 64 KiB blocks');
  assert.equal(f.readUInt32LE(f.length - 4), 0, 'end mark');
  let blocks = 0;
  for (let at = 7; at < f.length - 4; blocks++) at += 4 + (f.readUInt32LE(at) & 0x7fffffff);
  assert.equal(blocks, 3, '150,000 bytes are three blocks');
});
