// Publisher process: sends `count` messages round-robin over `topics`, keeping at most
// `window` publishes unacknowledged (QoS 0: unwritten), optionally paced to `rate` msg/s.
// Prints one JSON line: {sent, acked, startedAt, endedAt}.
import mqtt from 'mqtt';
import { makePayload } from './payload.js';

interface Args {
  url: string;
  topics: string[];
  count: number;
  qos: 0 | 1;
  rate?: number;
  window?: number;
  clientId: string;
  seqStart?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const window = args.window ?? 500;
const client = mqtt.connect(args.url, { clientId: args.clientId, protocolVersion: 4, clean: true, reconnectPeriod: 1000 });
await new Promise<void>((resolve, reject) => {
  client.once('connect', () => resolve());
  client.once('error', reject);
});

let acked = 0;
let inFlight = 0;
let sent = 0;
const startedAt = Date.now();
const seq0 = args.seqStart ?? 0;

await new Promise<void>((resolve) => {
  let waiting: (() => void) | undefined;
  const pump = async () => {
    while (sent < args.count) {
      if (args.rate) {
        const due = startedAt + (sent * 1000) / args.rate;
        const wait = due - Date.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      // QoS 0 callbacks fire once the packet is written: the same window keeps the socket from flooding
      if (inFlight >= window) await new Promise<void>((r) => (waiting = r));
      const i = sent++;
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
      const topic = args.topics[i % args.topics.length] as string;
      inFlight += 1;
      client.publish(topic, makePayload(seq0 + i, Date.now()), { qos: args.qos }, (err) => {
        inFlight -= 1;
        if (!err) acked += 1;
        const w = waiting;
        waiting = undefined;
        w?.();
        if (acked === args.count) resolve();
      });
    }
  };
  void pump();
});

const endedAt = Date.now();
await client.endAsync();
process.stdout.write(`${JSON.stringify({ sent, acked, startedAt, endedAt })}\n`);
