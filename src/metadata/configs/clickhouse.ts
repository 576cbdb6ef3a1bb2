import Type from 'typebox';
import type { ConnectorType } from '../connector-type.js';
import { HttpUrl, Secret } from '../schema-kit.js';

const IDENTIFIER = { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', 'x-rule': 'expected an identifier: a letter or _, then letters, digits or _' };

export const clickhouseType: ConnectorType = {
  name: 'clickhouse',
  title: 'ClickHouse',
  description: 'Inserts each batch into a ClickHouse table with one INSERT (JSONEachRow over HTTP).',
  loadSink: async () => (await import('../../connectors/clickhouse/index.js')).createSink,
  schema: Type.Object(
    {
      url: HttpUrl('ClickHouse HTTP endpoint.', ['http://localhost:8123']),
      database: Type.String({ minLength: 1, maxLength: 255, ...IDENTIFIER, description: 'Database name.', examples: ['mqtt'] }),
      table: Type.String({ minLength: 1, maxLength: 255, ...IDENTIFIER, description: 'Table name.', examples: ['messages'] }),
      username: Type.String({ maxLength: 1024, default: 'default', description: 'User name.' }),
      password: Secret({ description: 'Password.', default: '' }),
      payload_format: Type.Enum(['raw', 'json'], { default: 'raw', description: 'raw: one row (topic, payload, qos, retain, timestamp) per message; json: the JSON payload\'s fields mapped to columns.' }),
      create_table: Type.Boolean({ default: false, description: 'Create the table for the raw mapping if it does not exist.' }),
      compression: Type.Boolean({ default: false, description: 'gzip-compress insert requests.' }),
      pool_size: Type.Integer({ minimum: 1, maximum: 64, default: 8, description: 'Maximum open HTTP connections.' }),
      timeout_secs: Type.Integer({ minimum: 1, maximum: 300, default: 15, description: 'Request timeout, in seconds.' }),
    },
    { additionalProperties: false },
  ),
  check(config) {
    return config.create_table === true && config.payload_format === 'json'
      ? [{ path: 'create_table', rule: 'only works with payload_format raw (a json table\'s columns are yours to define)' }]
      : [];
  },
};
