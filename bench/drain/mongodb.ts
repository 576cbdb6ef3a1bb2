// mongodb in the drain benchmark: the harness's FerretDB (SQLite backend, SCRAM on), Sluice's
// documents in a fresh collection, against the bare `mongodb` driver inserting documents of the
// same shape (_id, topic, the JSON payload as a sub-document, qos, retain, a Date) into another,
// one unordered insertMany per batch of the same size.
import { MongoClient } from 'mongodb';
import { startService } from '../../test/harness/services.js';
import { makePayload } from '../payload.js';
import type { DrainTarget } from './drain-target.js';

const DATABASE = 'bench';
const collection = (id: string): string => id.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 120);

export const drainTarget: DrainTarget = {
  name: 'mongodb',
  unit: 'documents',
  goal: 20_000,
  async start() {
    const svc = await startService('ferretdb');
    const e = svc.env;
    const client = new MongoClient(e.SLUICE_TEST_FERRETDB_URL as string, { directConnection: true, retryWrites: false });
    await client.connect();
    const db = client.db(DATABASE);
    return {
      target: {
        name: 'mongodb',
        connector: (id) => ({
          type: 'mongodb',
          config: {
            host: e.SLUICE_TEST_FERRETDB_HOST, port: Number(e.SLUICE_TEST_FERRETDB_PORT), database: DATABASE, collection: collection(id),
            username: e.SLUICE_TEST_FERRETDB_USER, password: e.SLUICE_TEST_FERRETDB_PASSWORD,
          },
        }),
        count: (id) => db.collection(collection(id)).countDocuments({}),
      },
      async bareRate(id, total, batchSize) {
        const c = db.collection<{ _id: string }>(collection(id));
        const started = performance.now();
        for (let at = 0; at < total; at += batchSize) {
          const n = Math.min(batchSize, total - at);
          const docs = Array.from({ length: n }, (_, i) => {
            const now = Date.now();
            return { _id: `bare-${at + i}`, topic: `${id}/a`, payload: JSON.parse(makePayload(at + i, now).toString()) as Record<string, unknown>, payload_encoding: 'json', qos: 1, retain: false, timestamp: new Date(now) };
          });
          await c.insertMany(docs, { ordered: false });
        }
        const perSec = total / ((performance.now() - started) / 1000);
        const n = await c.countDocuments({});
        if (n !== total) throw new Error(`mongodb bare client: ${n} of ${total} documents arrived`);
        return perSec;
      },
      async stop() {
        await client.close().catch(() => undefined);
        await svc.stop();
      },
    };
  },
};
