// Raw-limit subscriber: a bare mqtt.js client that only counts. Prints "ready", then one JSON
// line {count, firstAt, lastAt} when `count` messages arrived.
import mqtt from 'mqtt';

const args = JSON.parse(process.argv[2] ?? '{}') as { url: string; filter: string; qos: 0 | 1; count: number };
const client = mqtt.connect(args.url, { clientId: `raw_${process.pid}`, protocolVersion: 4, clean: true });
let count = 0;
let firstAt = 0;
client.on('message', () => {
  if (count === 0) firstAt = Date.now();
  count += 1;
  if (count === args.count) {
    process.stdout.write(`${JSON.stringify({ count, firstAt, lastAt: Date.now() })}\n`);
    void client.endAsync().then(() => process.exit(0));
  }
});
client.on('connect', () => {
  client.subscribe(args.filter, { qos: args.qos }, () => process.stdout.write('ready\n'));
});
