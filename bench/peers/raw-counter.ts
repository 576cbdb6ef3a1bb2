// The raw subscriber of the side-by-side benchmark: a bare mqtt.js client on a persistent
// session (QoS 1, clean: false) that only counts sequence numbers. Prints "ready" once
// subscribed, then one JSON line when all n arrived or nothing came for idleMs:
// {distinct, missing, duplicates, lastAt, cpuUs (user + system since ready), maxRssKb}.
import mqtt from 'mqtt';
import { SeqCounter } from './seqs.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { url: string; filter: string; clientId: string; n: number; idleMs: number };
const counter = new SeqCounter(args.n);
const client = mqtt.connect(args.url, { clientId: args.clientId, protocolVersion: 4, clean: false, reconnectPeriod: 1000 });
let cpu0: NodeJS.CpuUsage | undefined;
let lastAt = 0;
let idle: NodeJS.Timeout | undefined;

function finish(): void {
  const cpu = process.cpuUsage(cpu0);
  const report = { ...counter.delivery(), lastAt, cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  void client.endAsync().then(() => process.exit(0));
}

const armIdle = () => {
  clearTimeout(idle);
  idle = setTimeout(finish, args.idleMs);
};

client.on('message', (_topic, payload) => {
  counter.add(payload.toString('latin1'));
  lastAt = Date.now();
  if (counter.distinct === args.n) {
    clearTimeout(idle);
    finish();
  } else armIdle();
});
client.once('connect', () => {
  client.subscribe(args.filter, { qos: 1 }, () => {
    cpu0 = process.cpuUsage();
    armIdle();
    process.stdout.write('ready\n');
  });
});
