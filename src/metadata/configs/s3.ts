import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { Secret, Template, templateFieldErrors, TimeoutSecs } from '../schema-kit.js';

/** object keys render date fields too (`mqtt/%Y/%m/%d/`) */
export const OBJECT_KEY_TEMPLATE = { dateFields: true } as const;

export const s3Schema = Type.Object(
  {
    bucket: Type.String({
      minLength: 3, maxLength: 63, pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$', 'x-rule': 'an S3 bucket name: 3–63 of a-z 0-9 . -, starting and ending with a letter or digit',
      description: 'Bucket to write into. It must exist: Sluice does not create it.', examples: ['my-mqtt-bucket'],
    }),
    region: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9-]+$', 'x-rule': 'a region name: letters, digits and -', description: 'Region of the bucket (it signs every request); S3-compatible stores usually take `us-east-1`.', examples: ['us-east-1'] }),
    endpoint: Type.String({
      maxLength: 2048, pattern: '^(https?://[^\\s]+)?$', 'x-rule': 'empty, or an http:// or https:// URL', 'x-url': true, default: '',
      description: 'Endpoint of an S3-compatible store (MinIO, Ceph, Garage, S3Proxy, …). Empty: AWS S3 of `region`.',
    }),
    force_path_style: Type.Boolean({ default: true, description: 'true: the bucket is a path segment (`endpoint/bucket/key`), as S3-compatible stores and RobustMQ address it; false: a virtual-hosted name (`bucket.endpoint/key`).' }),
    access_key_id: Type.String({ maxLength: 256, default: '', description: 'Access key id. Empty (with `secret_access_key` empty too): the AWS SDK\'s default credential chain (environment, shared files, container or instance role).' }),
    secret_access_key: Secret({ default: '', description: 'Secret access key of `access_key_id`.' }),
    session_token: Secret({ default: '', description: 'Session token of temporary credentials (STS); empty when not used.' }),
    root: Type.String({ maxLength: 256, pattern: '^[^\\u0000]*$', 'x-rule': 'must not contain a NUL character', default: '', description: 'Path put before every object key (RobustMQ\'s root); empty: none.' }),
    object_key_prefix: Template({
      minLength: 1, maxLength: 256, default: 'mqtt',
      description: 'Template of the key prefix (see Templates): record variables such as `${topic[0]}` and the date fields `%Y %m %d %H` of the record timestamp in UTC. Records of a batch whose prefixes differ go into one object per prefix.',
      examples: ['mqtt/${topic[0]}/%Y/%m/%d/'],
    }),
    file_extension: Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Za-z0-9]+$', 'x-rule': 'letters and digits only', default: 'json', description: 'Extension of the object names (`.gz` is added with gzip).' }),
    format: Type.Enum(['json_lines', 'json_array'], { default: 'json_lines', description: 'json_lines: one JSON record per line; json_array: the batch as one JSON array of records, as RobustMQ writes it.' }),
    compression: Type.Enum(['none', 'gzip'], { default: 'none', description: 'gzip: each object is compressed, stored with `Content-Encoding: gzip` and named with `.gz` added.' }),
    connect_timeout_secs: TimeoutSecs({ default: 10, description: 'Connect timeout, in seconds.' }),
    request_timeout_secs: TimeoutSecs({ default: 60, maximum: 600, description: 'Longest wait for the answer to one upload, in seconds (then the target counts as unavailable).' }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { bucket: 'my-mqtt-bucket', region: 'us-east-1' },
      {
        bucket: 'iot-archive', region: 'us-east-1', endpoint: 'http://minio:9000', access_key_id: 'sluice', secret_access_key: '${env:SLUICE_SECRET_S3_SECRET_ACCESS_KEY}',
        object_key_prefix: 'mqtt/${topic[0]}/%Y/%m/%d/', compression: 'gzip',
      },
      {
        bucket: 'iot-archive', region: 'eu-west-1', access_key_id: 'ASIAEXAMPLE', secret_access_key: '${env:SLUICE_SECRET_S3_SECRET_ACCESS_KEY}', session_token: '${env:SLUICE_SECRET_S3_SESSION_TOKEN}',
        force_path_style: false, root: 'sluice', object_key_prefix: 'site=${topic[1]}/date=%Y-%m-%d/hour=%H', format: 'json_array',
      },
    ],
  },
);

export type S3Config = Static<typeof s3Schema>;

export const s3Type: ConnectorType<typeof s3Schema> = {
  name: 's3',
  title: 'Amazon S3 and S3-compatible stores',
  description: 'Writes each batch as one object (JSON lines, optionally gzip) named after its first and last record ids, so a resent batch overwrites its object; key prefixes from a template with date fields.',
  loadSink: () => import('../../connectors/s3/index.js'),
  schema: s3Schema,
  check(config) {
    const errors: FieldError[] = [...templateFieldErrors('object_key_prefix', config.object_key_prefix, OBJECT_KEY_TEMPLATE)];
    if (config.object_key_prefix.trim() === '') errors.push({ path: 'object_key_prefix', rule: 'must not be blank' });
    if (config.access_key_id !== '' && config.secret_access_key === '') errors.push({ path: 'secret_access_key', rule: 'is required when access_key_id is set' });
    if (config.secret_access_key !== '' && config.access_key_id === '') errors.push({ path: 'access_key_id', rule: 'is required when secret_access_key is set' });
    if (config.session_token !== '' && config.access_key_id === '') errors.push({ path: 'access_key_id', rule: 'is required when session_token is set' });
    return errors;
  },
};
