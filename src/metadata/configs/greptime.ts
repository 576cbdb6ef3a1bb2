import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { Password, Template, TimeoutSecs } from '../schema-kit.js';
import { lineProtocolPointErrors } from './influxdb.js';

/** RobustMQ's precision names (its serde form) beside the short ones its docs use. */
export const GREPTIME_PRECISION = { s: 's', ms: 'ms', us: 'us', ns: 'ns', Second: 's', Millisecond: 'ms', Microsecond: 'us', Nanosecond: 'ns' } as const;

export const greptimeSchema = Type.Object(
  {
    server_addr: Type.String({ minLength: 1, maxLength: 512, pattern: '^(https?://)?[^\\s/?#]+(/[^\\s?#]*)?$', 'x-rule': 'expected host:port (http) or an http:// or https:// URL', 'x-url': true, description: 'GreptimeDB HTTP address: `host:port` (plain HTTP, as RobustMQ) or an `http://` / `https://` URL. Points go to `/v1/influxdb/api/v2/write`.', examples: ['localhost:4000'] }),
    database: Type.String({ minLength: 1, maxLength: 256, description: 'Database (the `db` parameter of the write).', examples: ['public'] }),
    user: Type.String({ maxLength: 256, default: '', description: 'User name; with `password` sent as `Authorization: token user:password`. Empty: no Authorization header (a GreptimeDB without authentication).' }),
    password: Password({ default: '', description: 'Password (with `user`).' }),
    precision: Type.Enum(Object.keys(GREPTIME_PRECISION) as (keyof typeof GREPTIME_PRECISION)[], { default: 'ms', description: 'Timestamp precision: `s`, `ms`, `us`, `ns` (RobustMQ\'s `Second`, `Millisecond`, `Microsecond`, `Nanosecond` too). The reception time (ms) is converted to it; with us and ns the digits below the ms hold the journal offset. Default ms (RobustMQ: s, which folds the messages of one series within a second into one row).' }),
    measurement: Type.String({ minLength: 1, maxLength: 256, default: 'mqtt_data', description: 'Sluice: the measurement, i.e. the GreptimeDB table.' }),
    tags: Type.Record(Type.String({ pattern: '^[^\\s]{1,256}$' }), Template({ maxLength: 1024, description: 'Tag value template.' }), { default: {}, maxProperties: 64, additionalProperties: Type.Never(), description: 'Sluice: tag name → template (see Templates), e.g. `${topic[1]}`; tags are the table\'s primary key columns. `${topic[5]:-}` gives an empty tag (left out).', examples: [{ device: '${topic[1]}' }] }),
    tag_fields: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { default: [], maxItems: 64, description: 'Sluice: JSON payload fields written as tags instead of fields (nested ones by their flattened name, e.g. `meta_site`).' }),
    timeout_secs: TimeoutSecs({ default: 30 }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field
    examples: [
      { server_addr: 'localhost:4000', database: 'public' },
      { server_addr: 'http://greptime:4000', database: 'public', user: 'greptime_user', password: '${env:SLUICE_SECRET_GREPTIME_PASSWORD}', precision: 'ms', measurement: 'reading', tags: { device: '${topic[1]}' } },
    ],
  },
);

export type GreptimeConfig = Static<typeof greptimeSchema>;

export const greptimeType: ConnectorType<typeof greptimeSchema> = {
  name: 'greptime',
  aliases: ['GreptimeDB'],
  title: 'GreptimeDB',
  description: 'Writes each message as a line-protocol point to GreptimeDB\'s InfluxDB write API (/v1/influxdb/api/v2/write).',
  inFlight: { default: 1, max: 16 },
  loadSink: () => import('../../connectors/greptime/index.js'),
  schema: greptimeSchema,
  check(config) {
    const errors: FieldError[] = [];
    if (/^https?:\/\/[^/]*@/.test(config.server_addr)) errors.push({ path: 'server_addr', rule: 'must not carry credentials: use user and password' });
    if (config.password && !config.user) errors.push({ path: 'user', rule: 'is required when password is set' });
    errors.push(...lineProtocolPointErrors(config));
    return errors;
  },
};
