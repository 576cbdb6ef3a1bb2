// The S3 target: the harness's S3Proxy (filesystem backend, kept across kill and start) with SigV4
// authentication, one bucket. The key prefix is `conformance/${payload.site}/%Y/%m/%d`, so the
// poison record is one whose JSON payload has no `site`: no key can be made for it, so it is
// refused for its content alone (an object takes any bytes, so the store itself refuses none).
// What arrived is read back by listing the bucket and decoding every object's JSON lines: a
// resent batch overwrites its object, so a record stored twice would show as two lines.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { startService } from '../../harness/services.js';
import { s3proxyClient } from '../../harness/services/s3proxy.js';
import type { ConformanceFixture } from './fixture.js';

/** every key under `prefix` (the filesystem backend also lists its directories, as keys ending in /) */
export async function listKeys(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined && !o.Key.endsWith('/')) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

export async function getObject(client: S3Client, bucket: string, key: string): Promise<{ body: Buffer; contentEncoding?: string; contentType?: string; metadata: Record<string, string> }> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from((await r.Body?.transformToByteArray()) ?? []);
  return { body, contentEncoding: r.ContentEncoding, contentType: r.ContentType, metadata: r.Metadata ?? {} };
}

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('s3proxy');
    const e = svc.env;
    const bucket = e.SLUICE_TEST_S3PROXY_BUCKET as string;
    let client = s3proxyClient(e);
    const config = {
      bucket, region: e.SLUICE_TEST_S3PROXY_REGION, endpoint: e.SLUICE_TEST_S3PROXY_URL,
      access_key_id: e.SLUICE_TEST_S3PROXY_ACCESS_KEY_ID, secret_access_key: e.SLUICE_TEST_S3PROXY_SECRET_ACCESS_KEY,
      object_key_prefix: 'conformance/${payload.site}/%Y/%m/%d', connect_timeout_secs: 2, request_timeout_secs: 20,
    };
    return {
      config,
      wrongCredentials: { config: { ...config, secret_access_key: 'not-the-secret' }, means: 'a wrong secret access key (SignatureDoesNotMatch)' },
      payload: (i) => Buffer.from(`{"site":"s${i % 3}","n":${i}}`),
      poison: { payload: Buffer.from('{"n":-1}'), means: 'a payload without the `site` field that object_key_prefix reads: no key for it' },
      async readIds() {
        const ids: string[] = [];
        for (const key of await listKeys(client, bucket, 'conformance/')) {
          const { body } = await getObject(client, bucket, key);
          for (const line of body.toString('utf8').split('\n')) if (line !== '') ids.push((JSON.parse(line) as { id: string }).id);
        }
        return ids;
      },
      kill: () => svc.kill(),
      async start() {
        await svc.start();
        client.destroy();
        client = s3proxyClient(e);
      },
      async close() {
        client.destroy();
        await svc.stop();
      },
    };
  },
};
