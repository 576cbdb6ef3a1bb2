// Where the end-to-end and latency scenarios deliver to, and how each target is read back.
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRawTableSql } from '../src/connectors/clickhouse/mapping.js';
import { makePayload, parsePayload } from './payload.js';

export interface LatencySample {
  /** the publisher's sequence number */
  seq: number;
  /** publish → readable in the target */
  ms: number;
}

export interface LatencyProbe {
  /** every record seen so far */
  stop(): Promise<LatencySample[]>;
  /** for probes that poll: how long each read took (ms), part of every latency it reports */
  readDurations?(): number[];
}

const sample = (payload: string, now: number): LatencySample => {
  const p = parsePayload(payload);
  return { seq: p.seq, ms: now - p.t };
};

export interface Target {
  name: string;
  /** type + config of a connector writing to a fresh place named `id` */
  connector(id: string): { type: string; config: Record<string, unknown> };
  /** how many records of `id` are readable in the target */
  count(id: string): Promise<number>;
  /** starts reading `id` as records arrive, measuring publish → readable */
  latency(id: string): Promise<LatencyProbe>;
  /** a bare client writing `batches` batches of `rows` records back to back: each write's duration (ms) */
  writeAlone?(id: string, rows: number, batches: number): Promise<number[]>;
  close(): Promise<void>;
}

/** file: JSON lines; `payload` holds the published JSON text. */
export function fileTarget(dir: string): Target {
  const path = (id: string) => join(dir, `${id}.jsonl`);
  return {
    name: 'file',
    connector: (id) => ({ type: 'file', config: { local_file_path: path(id) } }),
    async count(id) {
      try {
        const fd = openSync(path(id), 'r');
        const size = statSync(path(id)).size;
        const buf = Buffer.alloc(size);
        readSync(fd, buf, 0, size, 0);
        closeSync(fd);
        let n = 0;
        for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
        return n;
      } catch {
        return 0;
      }
    },
    async latency(id) {
      const lat: LatencySample[] = [];
      let pos = 0;
      let rest = '';
      let stopped = false;
      const tick = () => {
        try {
          const size = statSync(path(id)).size;
          if (size > pos) {
            const fd = openSync(path(id), 'r');
            const buf = Buffer.alloc(size - pos);
            readSync(fd, buf, 0, buf.length, pos);
            closeSync(fd);
            pos = size;
            const now = Date.now();
            const lines = (rest + buf.toString()).split('\n');
            rest = lines.pop() ?? '';
            for (const l of lines) lat.push(sample((JSON.parse(l) as { payload: string }).payload, now));
          }
        } catch {
          /* not created yet */
        }
        if (!stopped) setTimeout(tick, 2);
      };
      tick();
      return {
        async stop() {
          stopped = true;
          return lat;
        },
      };
    },
    async close() {},
  };
}

/** kafka: the value is the payload bytes untouched. */
export function kafkaTarget(brokers: string): Target {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'sluice-bench', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let adminConnected = false;
  return {
    name: 'kafka',
    connector: (id) => ({ type: 'kafka', config: { bootstrap_servers: brokers, topic: id, acks: 'all' } }),
    async count(id) {
      if (!adminConnected) {
        await admin.connect();
        adminConnected = true;
      }
      const offsets = await admin.fetchTopicOffsets(id).catch(() => []);
      return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    },
    async latency(id) {
      const lat: LatencySample[] = [];
      if (!adminConnected) {
        await admin.connect();
        adminConnected = true;
      }
      // the connector creates the topic when its sink starts; do not race it
      await admin.createTopics({ topics: [{ topic: id }], waitForLeaders: true }).catch(() => false);
      const consumer = kafka.consumer({ groupId: `bench-${id}`, maxWaitTimeInMs: 5 });
      // run() resolves before the group is joined: records sent before the first fetch would
      // count the join as latency
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.connect();
      await consumer.subscribe({ topic: id, fromBeginning: true });
      // no offset commits: a commit round trip after every batch would delay the next fetch
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const now = Date.now();
          for (const m of batch.messages) if (m.value) lat.push(sample(m.value.toString(), now));
        },
      });
      await joined;
      return {
        async stop() {
          await consumer.disconnect();
          return lat;
        },
      };
    },
    async close() {
      if (adminConnected) await admin.disconnect();
    },
  };
}

/** clickhouse: the raw mapping, table created by the connector. */
export function clickhouseTarget(url: string): Target {
  // the probe polls a table the connector has not created yet: those refusals are expected
  const ch = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
  const table = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
  return {
    name: 'clickhouse',
    connector: (id) => ({ type: 'clickhouse', config: { url, database: 'default', table: table(id), create_table: true } }),
    async count(id) {
      const r = await ch.query({ query: `SELECT count() AS n FROM default.${table(id)}`, format: 'JSONEachRow' }).catch(() => undefined);
      if (!r) return 0;
      const rows = (await r.json()) as { n: string | number }[];
      return Number(rows[0]?.n ?? 0);
    },
    async latency(id) {
      const lat: LatencySample[] = [];
      const seen = new Set<number>();
      let stopped = false;
      // rows arrive in receive-time order (one INSERT per batch, batches in journal order), so
      // each poll asks only for rows at or after the newest receive time seen: a poll stays a
      // few rows instead of re-reading seconds of them (which made the probe itself the latency)
      let since = 0;
      const reads: number[] = [];
      const loop = (async () => {
        while (!stopped) {
          const started = performance.now();
          const r = await ch
            .query({ query: `SELECT payload, timestamp FROM default.${table(id)} WHERE timestamp >= ${since}`, format: 'JSONEachRow' })
            .catch(() => undefined);
          const now = Date.now();
          if (r) {
            for (const row of (await r.json()) as { payload: string; timestamp: string | number }[]) {
              const p = parsePayload(row.payload);
              if (seen.has(p.seq)) continue;
              seen.add(p.seq);
              lat.push({ seq: p.seq, ms: now - p.t });
              since = Math.max(since, Number(row.timestamp));
            }
            reads.push(performance.now() - started);
          }
          await new Promise((res) => setTimeout(res, 5));
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
          return lat;
        },
        readDurations: () => reads,
      };
    },
    async writeAlone(id, rows, batches) {
      await ch.command({ query: createRawTableSql('default', table(id)) });
      const took: number[] = [];
      for (let b = 0; b < batches; b++) {
        const values = Array.from({ length: rows }, (_, i) => ({ topic: `${id}/a`, payload: makePayload(b * rows + i, Date.now()).toString(), qos: 1, retain: 0, timestamp: Date.now() }));
        const t0 = performance.now();
        await ch.insert({ table: `default.${table(id)}`, values, format: 'JSONEachRow' });
        took.push(performance.now() - t0);
      }
      return took;
    },
    async close() {
      await ch.close();
    },
  };
}
