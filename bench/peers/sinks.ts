// Where the products of the side-by-side benchmark write, and how the bench reads it back: a
// file (one record a line) or a Kafka topic (one record a message).
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SeqCounter, type Delivery } from './seqs.js';

export type SinkSpec = { kind: 'file'; path: string } | { kind: 'kafka'; brokers: string; topic: string };

export interface SinkRun {
  spec: SinkSpec;
  /** records written so far (cheap: lines or the topic's offsets) */
  progress(): Promise<number>;
  /** reads everything back and counts sequence numbers 0..n-1 */
  readBack(n: number): Promise<Delivery>;
}

export interface SinkKind {
  name: 'file' | 'kafka';
  /** a fresh place named `id` */
  open(id: string): Promise<SinkRun>;
  close(): Promise<void>;
}

export function fileSink(dir: string): SinkKind {
  return {
    name: 'file',
    async open(id) {
      const path = join(dir, `${id}.out`);
      let pos = 0;
      let lines = 0;
      return {
        spec: { kind: 'file', path },
        async progress() {
          let size: number;
          try {
            size = statSync(path).size;
          } catch {
            return 0; // not created yet
          }
          if (size > pos) {
            const fd = openSync(path, 'r');
            const buf = Buffer.alloc(size - pos);
            readSync(fd, buf, 0, buf.length, pos);
            closeSync(fd);
            pos = size;
            for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) lines++;
          }
          return lines;
        },
        async readBack(n) {
          const c = new SeqCounter(n);
          try {
            c.add(readFileSync(path, 'latin1'));
          } catch {
            /* nothing written */
          }
          return c.delivery();
        },
      };
    },
    async close() {},
  };
}

export function kafkaSink(brokers: string): SinkKind {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'sluice-bench-peers', logLevel: logLevel.NOTHING });
  let admin: Admin | undefined;
  const connected = async () => {
    if (!admin) {
      admin = kafka.admin();
      await admin.connect();
    }
    return admin;
  };
  const offsets = async (topic: string) => ((await (await connected()).fetchTopicOffsets(topic).catch(() => [])) as { high: string; low: string }[]).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  return {
    name: 'kafka',
    async open(id) {
      // created up front with one partition, so no product's first write waits for auto-creation
      await (await connected()).createTopics({ topics: [{ topic: id, numPartitions: 1 }], waitForLeaders: true }).catch(() => false);
      return {
        spec: { kind: 'kafka', brokers, topic: id },
        progress: () => offsets(id),
        async readBack(n) {
          const total = await offsets(id);
          const c = new SeqCounter(n);
          if (total === 0) return c.delivery();
          const consumer = kafka.consumer({ groupId: `bench-peers-${id}-${Date.now()}`, maxWaitTimeInMs: 50 });
          await consumer.connect();
          try {
            await consumer.subscribe({ topic: id, fromBeginning: true });
            let seen = 0;
            await new Promise<void>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error(`kafka read-back of ${id}: ${seen} of ${total} records in 120 s`)), 120_000);
              consumer.on(consumer.events.CRASH, (e) => reject(new Error(`kafka read-back of ${id}: ${String(e.payload.error)}`)));
              consumer
                .run({
                  autoCommit: false,
                  eachBatch: async ({ batch }) => {
                    for (const m of batch.messages) if (m.value) c.add(m.value.toString('latin1'));
                    seen += batch.messages.length;
                    if (seen >= total) {
                      clearTimeout(timer);
                      resolve();
                    }
                  },
                })
                .catch(reject);
            });
          } finally {
            await consumer.disconnect();
          }
          return c.delivery();
        },
      };
    },
    async close() {
      await admin?.disconnect();
    },
  };
}
