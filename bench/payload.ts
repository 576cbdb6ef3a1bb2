// Benchmark payloads: 100-byte JSON carrying a sequence number and the publish time (ms).
export const PAYLOAD_BYTES = 100;

export function makePayload(seq: number, now: number, bytes = PAYLOAD_BYTES): Buffer {
  const head = `{"seq":${seq},"t":${now},"pad":"`;
  const tail = '"}';
  const pad = Math.max(0, bytes - head.length - tail.length);
  return Buffer.from(head + 'x'.repeat(pad) + tail);
}

export function parsePayload(text: string): { seq: number; t: number } {
  return JSON.parse(text) as { seq: number; t: number };
}
