// S3 in the drain benchmark: the connector writes each batch as one JSON-lines object under
// `bench/<id>/` in the harness's S3Proxy (filesystem backend, SigV4); the bare client PUTs the
// same JSON lines (the shared record JSON of records of the same size) in objects of the same
// batch size with @aws-sdk/client-s3, back to back. Counted from each object's record-count metadata.
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { recordToJson } from '../../src/connectors/record-json.js';
import { startService } from '../../test/harness/services.js';
import { s3proxyClient } from '../../test/harness/services/s3proxy.js';
import { listKeys } from '../../test/connectors/conformance/s3.js';
import { makePayload } from '../payload.js';
import type { DrainTarget } from './drain-target.js';

export const drainTarget: DrainTarget = {
  name: 's3',
  unit: 'records in objects',
  goal: 30_000,
  async start() {
    const svc = await startService('s3proxy');
    const e = svc.env;
    const bucket = e.SLUICE_TEST_S3PROXY_BUCKET as string;
    const client = s3proxyClient(e);
    const config = {
      bucket, region: e.SLUICE_TEST_S3PROXY_REGION, endpoint: e.SLUICE_TEST_S3PROXY_URL,
      access_key_id: e.SLUICE_TEST_S3PROXY_ACCESS_KEY_ID, secret_access_key: e.SLUICE_TEST_S3PROXY_SECRET_ACCESS_KEY,
    };
    return {
      target: {
        name: 's3',
        connector: (id) => ({ type: 's3', config: { ...config, object_key_prefix: `bench/${id}` } }),
        async count(id) {
          let n = 0;
          for (const key of await listKeys(client, bucket, `bench/${id}/`)) {
            n += Number((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata?.['record-count'] ?? 0);
          }
          return n;
        },
      },
      async bareRate(id, total, batchSize) {
        const t0 = performance.now();
        for (let sent = 0; sent < total; sent += batchSize) {
          const n = Math.min(batchSize, total - sent);
          const lines = Array.from({ length: n }, (_, i) => JSON.stringify(recordToJson({
            id: `${id}-${sent + i}`, offset: sent + i + 1, topic: `${id}/a`, payload: makePayload(sent + i, Date.now()), qos: 1, retain: false, timestamp: Date.now(),
          })));
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: `bench/${id}/${sent}.json`, Body: `${lines.join('\n')}\n`, ContentType: 'application/x-ndjson' }));
        }
        const perSec = total / ((performance.now() - t0) / 1000);
        const objects = (await listKeys(client, bucket, `bench/${id}/`)).length;
        if (objects !== Math.ceil(total / batchSize)) throw new Error(`s3 bare client: ${objects} objects, wanted ${Math.ceil(total / batchSize)}`);
        return perSec;
      },
      async stop() {
        client.destroy();
        await svc.stop();
      },
    };
  },
};
