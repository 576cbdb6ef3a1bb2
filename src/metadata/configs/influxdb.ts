import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { HttpUrl, Password, Template, templateFieldErrors, TimeoutSecs, Token, Username } from '../schema-kit.js';

export const influxdbSchema = Type.Object(
  {
    server: HttpUrl('InfluxDB server address.', ['http://localhost:8086']),
    version: Type.Enum(['v1', 'v2'], { default: 'v2', description: 'v2: token, org, bucket; v1: database, username, password.' }),
    measurement: Type.String({ minLength: 1, maxLength: 256, description: 'Measurement name.', examples: ['mqtt_data'] }),
    token: Token({ description: 'API token (v2).', default: '' }),
    org: Type.String({ maxLength: 256, default: '', description: 'Organization (v2; required there).' }),
    bucket: Type.String({ maxLength: 256, default: '', description: 'Bucket (v2; required there).' }),
    database: Type.String({ maxLength: 256, default: '', description: 'Database (v1; required there).' }),
    username: Username({ default: '', description: 'User name (v1).' }),
    password: Password({ description: 'Password (v1).', default: '' }),
    precision: Type.Enum(['ns', 'us', 'ms', 's'], { default: 'ms', description: 'Timestamp precision; the reception time (ms) is converted to it. With us and ns the digits below the ms hold the journal offset, so messages of one series in the same ms stay distinct.' }),
    tags: Type.Record(Type.String({ pattern: '^[^\\s]{1,256}$' }), Template({ maxLength: 1024, description: 'Tag value template.' }), { default: {}, maxProperties: 64, additionalProperties: Type.Never(), description: 'Tag name → template (see Templates), e.g. `${topic[2]}` for the third topic level; `${topic[5]:-}` gives an empty tag (left out) when the topic is shorter.', examples: [{ device: '${topic[2]}' }] }),
    tag_fields: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { default: [], maxItems: 64, description: 'JSON payload fields written as tags instead of fields (nested ones by their flattened name, e.g. `meta_site`).' }),
    timeout_secs: TimeoutSecs({ default: 15 }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { server: 'http://localhost:8086', measurement: 'mqtt_data', org: 'acme', bucket: 'sensors' },
      { server: 'https://influx:8086', measurement: 'mqtt_data', org: 'acme', bucket: 'sensors', token: '${env:SLUICE_SECRET_INFLUX_TOKEN}', username: 'sluice', password: '${env:SLUICE_SECRET_INFLUX_PASSWORD}', tags: { device: '${topic[1]}' } },
    ],
  },
);

export type InfluxdbConfig = Static<typeof influxdbSchema>;

export const influxdbType: ConnectorType<typeof influxdbSchema> = {
  name: 'influxdb',
  title: 'InfluxDB',
  description: 'Writes each message as a line-protocol point (v2 /api/v2/write or v1 /write).',
  inFlight: { default: 1, max: 16 },
  loadSink: () => import('../../connectors/influxdb/index.js'),
  schema: influxdbSchema,
  check(config) {
    const errors: FieldError[] = [];
    const need = config.version === 'v2' ? (['org', 'bucket'] as const) : (['database'] as const);
    for (const f of need) if (!config[f]) errors.push({ path: f, rule: `is required when version is ${config.version}` });
    if (config.version === 'v1' && config.password && !config.username) errors.push({ path: 'username', rule: 'is required when password is set' });
    errors.push(...lineProtocolPointErrors(config));
    return errors;
  },
};

/** The rules of a line-protocol point's measurement, tag templates and tag fields (the greptime type shares them). */
export function lineProtocolPointErrors(config: { measurement: string; tags: Record<string, string>; tag_fields: readonly string[] }): FieldError[] {
  const errors: FieldError[] = [];
  if (config.measurement.startsWith('#')) errors.push({ path: 'measurement', rule: 'must not start with # (line protocol reads the line as a comment)' });
  errors.push(...lineProtocolName('measurement', config.measurement, 'measurement'));
  for (const [key, template] of Object.entries(config.tags)) {
    errors.push(...lineProtocolName(`tags.${key}`, key, 'tag name'), ...templateFieldErrors(`tags.${key}`, template));
  }
  config.tag_fields.forEach((f, i) => errors.push(...lineProtocolName(`tag_fields[${i}]`, f, 'tag name')));
  return errors;
}

/** What line protocol cannot carry in a measurement or tag name. */
function lineProtocolName(path: string, name: string, what: 'measurement' | 'tag name'): FieldError[] {
  if (what === 'tag name' && name === 'time') return [{ path, rule: 'InfluxDB refuses a tag named time' }];
  if (name.endsWith('\\')) return [{ path, rule: `a ${what} cannot end in a backslash in line protocol` }];
  if (/[\n\r]/.test(name)) return [{ path, rule: `a ${what} cannot contain a line break` }];
  return [];
}
