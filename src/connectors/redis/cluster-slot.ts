// Redis Cluster's key → hash slot rule (CRC16/XMODEM of the key, or of its `{hash tag}`, mod 16384),
// to find a command whose keys span slots before it is sent: the cluster client checks that for a
// whole pipeline at once and fails every command of it for one such record, so the record is
// refused alone here (the server would answer it CROSSSLOT).
import { Command } from 'ioredis';
import type { RedisArg } from './mapping.js';

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

function crc16(bytes: Buffer): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ b) & 0xff] as number);
  return crc;
}

export function keySlot(key: string | Buffer): number {
  let bytes = Buffer.isBuffer(key) ? key : Buffer.from(key);
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  return crc16(bytes) % 16384;
}

/** The error text when the command's keys are in more than one slot, else undefined. */
export function crossSlot(name: string, args: readonly RedisArg[]): string | undefined {
  const keys = new Command(name.toLowerCase(), [...args]).getKeys();
  if (keys.length < 2) return undefined;
  const first = keySlot(keys[0] as string | Buffer);
  return keys.some((k) => keySlot(k) !== first) ? 'CROSSSLOT Keys in request don\'t hash to the same slot (refused before sending: the cluster client would fail the whole pipeline for it)' : undefined;
}
