// The S3 sink: one S3Client (keep-alive connections, the SDK's own retries off: the core owns
// retrying); a batch becomes one object per key prefix (mapping.ts), uploaded with one
// PutObject each, at most UPLOADS_AT_ONCE at a time, with a Content-MD5 the store checks. An
// object's outcome is the outcome of every record it holds. `init` and `validate` list one key of
// the bucket (unlike HeadBucket, a listing's error has a body naming the reason), so a wrong
// secret, a missing bucket or a wrong region shows before the first batch.
import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { OBJECT_KEY_TEMPLATE, type S3Config } from '../../metadata/configs/s3.js';
import { compileTemplate, type Template } from '../../metadata/template.js';
import { notStarted, startFailure, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { s3Error } from './errors.js';
import { type PlannedObject, planObjects } from './mapping.js';

/** uploads of one batch in flight at once (a batch has one object per distinct prefix) */
const UPLOADS_AT_ONCE = 8;

export function createS3Sink(config: S3Config, ctx: SinkContext): ConnectorSink {
  return new S3Sink(config, ctx);
}

/** The client options of a config (exported for the bench's bare client, which must match). */
export function s3ClientConfig(cfg: S3Config): S3ClientConfig {
  const agent = { keepAlive: true, maxSockets: UPLOADS_AT_ONCE };
  const o: S3ClientConfig = {
    region: cfg.region,
    forcePathStyle: cfg.force_path_style,
    maxAttempts: 1,
    // the newer flexible checksums are not spoken by every S3-compatible store: Content-MD5 instead
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: cfg.connect_timeout_secs * 1000,
      requestTimeout: cfg.request_timeout_secs * 1000,
      httpAgent: new Agent(agent),
      httpsAgent: new HttpsAgent(agent),
    },
  };
  if (cfg.endpoint !== '') o.endpoint = cfg.endpoint;
  if (cfg.access_key_id !== '') {
    o.credentials = { accessKeyId: cfg.access_key_id, secretAccessKey: cfg.secret_access_key, ...(cfg.session_token !== '' ? { sessionToken: cfg.session_token } : {}) };
  }
  return o;
}

class S3Sink implements ConnectorSink {
  private client?: S3Client;
  private readonly prefix: Template;
  /** the bucket as a URL, for messages (no credentials) */
  private readonly where: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly cfg: S3Config,
    private readonly ctx: SinkContext,
  ) {
    this.prefix = compileTemplate(cfg.object_key_prefix, OBJECT_KEY_TEMPLATE);
    this.where = `s3://${cfg.bucket}${cfg.endpoint === '' ? ` (region ${cfg.region})` : ` at ${cfg.endpoint}`}`;
    this.timeoutMs = cfg.request_timeout_secs * 1000;
  }

  async validate(): Promise<void> {
    const client = new S3Client(s3ClientConfig(this.cfg));
    try {
      await this.probe(client);
    } catch (e) {
      throw new Error(e instanceof Error ? e.message : String(e));
    } finally {
      client.destroy();
    }
  }

  async init(): Promise<void> {
    if (this.client) return;
    const client = new S3Client(s3ClientConfig(this.cfg));
    try {
      await this.probe(client);
    } catch (e) {
      client.destroy();
      throw startFailure(e);
    }
    this.client = client;
    this.ctx.log('info', 's3 sink ready', { target: this.where, prefix: this.cfg.object_key_prefix, format: this.cfg.format, compression: this.cfg.compression });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    const client = this.client;
    if (!client) throw notStarted('s3');
    if (records.length === 0) return { failed: [] };
    const plan = planObjects(records, this.prefix, this.cfg);
    const failed = [...plan.failed];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < plan.objects.length) {
        const object = plan.objects[next++] as PlannedObject;
        try {
          await this.put(client, object);
        } catch (e) {
          const error = s3Error(e, `PUT ${this.where}/${object.key}`, this.timeoutMs);
          for (const index of object.indexes) failed.push({ index, error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOADS_AT_ONCE, plan.objects.length) }, worker));
    return { failed: failed.sort((a, b) => a.index - b.index) };
  }

  async cleanup(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    client?.destroy();
  }

  private async put(client: S3Client, o: PlannedObject): Promise<void> {
    await client.send(new PutObjectCommand({
      Bucket: this.cfg.bucket,
      Key: o.key,
      Body: o.body,
      ContentLength: o.body.length,
      ContentMD5: createHash('md5').update(o.body).digest('base64'),
      ContentType: o.contentType,
      ...(o.contentEncoding !== undefined ? { ContentEncoding: o.contentEncoding } : {}),
      Metadata: o.metadata,
    }));
  }

  private async probe(client: S3Client): Promise<void> {
    try {
      await client.send(new ListObjectsV2Command({ Bucket: this.cfg.bucket, MaxKeys: 1 }));
    } catch (e) {
      const who = this.cfg.access_key_id === '' ? ' with the default credential chain' : ` as ${this.cfg.access_key_id}`;
      throw s3Error(e, `listing ${this.where}${who}`, this.timeoutMs);
    }
  }
}
