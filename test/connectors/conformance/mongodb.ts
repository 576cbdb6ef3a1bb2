// The MongoDB target: the harness's FerretDB (MongoDB wire protocol, SQLite backend that keeps
// its data across kill and start), SCRAM authentication on. The collection has a unique index on
// `payload.uniq` and holds a document with `uniq: "taken"`, so a record whose JSON payload takes
// that value again is refused by the server (11000 on that index, not on `_id`) for that
// document alone. What arrived is read back with the MongoDB driver.
import { type Collection, MongoClient } from 'mongodb';
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

const DATABASE = 'conformance';
const COLLECTION = 'records';

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('ferretdb');
    const e = svc.env;
    const url = e.SLUICE_TEST_FERRETDB_URL as string;
    const withCollection = async <T>(fn: (c: Collection<{ _id: string }>) => Promise<T>): Promise<T> => {
      const client = new MongoClient(url, { directConnection: true, serverSelectionTimeoutMS: 5000 });
      try {
        await client.connect();
        return await fn(client.db(DATABASE).collection<{ _id: string }>(COLLECTION));
      } finally {
        await client.close().catch(() => undefined);
      }
    };
    await withCollection(async (c) => {
      await c.createIndex({ 'payload.uniq': 1 }, { unique: true, sparse: true });
      await c.insertOne({ _id: 'seed-taken', payload: { uniq: 'taken' } } as { _id: string });
    });
    const config = {
      host: e.SLUICE_TEST_FERRETDB_HOST, port: Number(e.SLUICE_TEST_FERRETDB_PORT), database: DATABASE, collection: COLLECTION,
      username: e.SLUICE_TEST_FERRETDB_USER, password: e.SLUICE_TEST_FERRETDB_PASSWORD, auth_source: 'admin',
      connect_timeout_secs: 5, server_selection_timeout_secs: 5, socket_timeout_secs: 20,
    };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (AuthenticationFailed, code 18)' },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { payload: Buffer.from('{"uniq":"taken"}'), means: 'a document taken by the unique index on payload.uniq (duplicate key 11000 on that index, not on _id)' },
      readIds: () => withCollection(async (c) => (await c.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id).filter((id) => id !== 'seed-taken')),
      kill: () => svc.kill(),
      start: () => svc.start(),
      close: () => svc.stop(),
    };
  },
};
