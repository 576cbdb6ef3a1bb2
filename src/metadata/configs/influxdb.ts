import Type from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { HttpUrl, Secret } from '../schema-kit.js';

export const influxdbType: ConnectorType = {
  name: 'influxdb',
  title: 'InfluxDB',
  description: 'Writes each message as a line-protocol point (v2 /api/v2/write or v1 /write).',
  schema: Type.Object(
    {
      server: HttpUrl('InfluxDB server address.', ['http://localhost:8086']),
      version: Type.Enum(['v1', 'v2'], { default: 'v2', description: 'v2: token, org, bucket; v1: database, username, password.' }),
      measurement: Type.String({ minLength: 1, maxLength: 256, description: 'Measurement name.', examples: ['mqtt_data'] }),
      token: Secret({ description: 'API token (v2).', default: '' }),
      org: Type.String({ maxLength: 256, default: '', description: 'Organization (v2; required there).' }),
      bucket: Type.String({ maxLength: 256, default: '', description: 'Bucket (v2; required there).' }),
      database: Type.String({ maxLength: 256, default: '', description: 'Database (v1; required there).' }),
      username: Type.String({ maxLength: 1024, default: '', description: 'User name (v1).' }),
      password: Secret({ description: 'Password (v1).', default: '' }),
      precision: Type.Enum(['ns', 'us', 'ms', 's'], { default: 'ms', description: 'Timestamp precision; the message time is converted to it.' }),
      tags: Type.Record(Type.String({ pattern: '^[^\\s]{1,256}$' }), Type.String({ maxLength: 1024 }), { default: {}, maxProperties: 64, description: 'Tag name → template; `${topic[N]}` is the N-th topic level (0-based), `${topic}` the whole topic.', examples: [{ device: '${topic[2]}' }] }),
      tag_fields: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { default: [], maxItems: 64, description: 'JSON payload fields written as tags instead of fields.' }),
      timeout_secs: Type.Integer({ minimum: 1, maximum: 300, default: 15, description: 'Request timeout, in seconds.' }),
    },
    { additionalProperties: false },
  ),
  check(config) {
    const errors: FieldError[] = [];
    const need = config.version === 'v2' ? ['org', 'bucket'] : ['database'];
    for (const f of need) if (!config[f]) errors.push({ path: f, rule: `is required when version is ${String(config.version)}` });
    return errors;
  },
};
