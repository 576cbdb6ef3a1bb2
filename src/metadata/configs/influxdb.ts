import Type from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { HttpUrl, Secret } from '../schema-kit.js';

export const influxdbType: ConnectorType = {
  name: 'influxdb',
  title: 'InfluxDB',
  description: 'Writes each message as a line-protocol point (v2 /api/v2/write or v1 /write).',
  loadSink: async () => (await import('../../connectors/influxdb/index.js')).createSink,
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
      precision: Type.Enum(['ns', 'us', 'ms', 's'], { default: 'ms', description: 'Timestamp precision; the reception time (ms) is converted to it. With us and ns the digits below the ms hold the journal offset, so messages of one series in the same ms stay distinct.' }),
      tags: Type.Record(Type.String({ pattern: '^[^\\s]{1,256}$' }), Type.String({ maxLength: 1024 }), { default: {}, maxProperties: 64, additionalProperties: Type.Never(), description: 'Tag name → template; `${topic[N]}` is the N-th topic level (0-based), `${topic}` the whole topic.', examples: [{ device: '${topic[2]}' }] }),
      tag_fields: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { default: [], maxItems: 64, description: 'JSON payload fields written as tags instead of fields (nested ones by their flattened name, e.g. `meta_site`).' }),
      timeout_secs: Type.Integer({ minimum: 1, maximum: 300, default: 15, description: 'Request timeout, in seconds.' }),
    },
    { additionalProperties: false },
  ),
  check(config) {
    const errors: FieldError[] = [];
    const need = config.version === 'v2' ? ['org', 'bucket'] : ['database'];
    for (const f of need) if (!config[f]) errors.push({ path: f, rule: `is required when version is ${String(config.version)}` });
    if (config.version === 'v1' && config.password && !config.username) errors.push({ path: 'username', rule: 'is required when password is set' });
    const measurement = config.measurement;
    if (typeof measurement === 'string') {
      if (measurement.startsWith('#')) errors.push({ path: 'measurement', rule: 'must not start with # (line protocol reads the line as a comment)' });
      errors.push(...lineProtocolName('measurement', measurement, 'measurement'));
    }
    const tags = (config.tags ?? {}) as Record<string, unknown>;
    for (const [key, template] of Object.entries(tags)) {
      errors.push(...lineProtocolName(`tags.${key}`, key, 'tag name'));
      if (typeof template === 'string' && template.replace(PLACEHOLDER, '').includes('${')) {
        errors.push({ path: `tags.${key}`, rule: 'unknown placeholder: only ${topic} and ${topic[N]} (N = 0, 1, …) are supported' });
      }
    }
    const tagFields = Array.isArray(config.tag_fields) ? config.tag_fields : [];
    tagFields.forEach((f, i) => {
      if (typeof f === 'string') errors.push(...lineProtocolName(`tag_fields[${i}]`, f, 'tag name'));
    });
    return errors;
  },
};

/** `${topic}` and `${topic[N]}`, the placeholders of a tag template (same syntax as the sink's). */
const PLACEHOLDER = /\$\{topic(?:\[\d+\])?\}/g;

/** What line protocol cannot carry in a measurement or tag name. */
function lineProtocolName(path: string, name: string, what: 'measurement' | 'tag name'): FieldError[] {
  if (what === 'tag name' && name === 'time') return [{ path, rule: 'InfluxDB refuses a tag named time' }];
  if (name.endsWith('\\')) return [{ path, rule: `a ${what} cannot end in a backslash in line protocol` }];
  if (/[\n\r]/.test(name)) return [{ path, rule: `a ${what} cannot contain a line break` }];
  return [];
}
