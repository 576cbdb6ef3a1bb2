// Type declarations for the two codec packages that ship none (see codecs.ts).
declare module 'kafkajs-snappy' {
  const codec: () => { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
  export default codec;
}

declare module 'lz4js' {
  const lz4: {
    compress(src: Uint8Array, maxSize?: number): Uint8Array | number[];
    decompress(src: Uint8Array, maxSize?: number): Uint8Array | number[];
    compressBound(n: number): number;
    compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  };
  export default lz4;
}

declare module 'lz4js/xxh32.js' {
  const xxhash: { hash(seed: number, src: Uint8Array, index: number, len: number): number };
  export default xxhash;
}
