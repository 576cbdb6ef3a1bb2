import Type, { type Static } from 'typebox';
import type { ConnectorType } from '../connector-type.js';
import { HttpUrl, Password, PoolSize, TimeoutSecs, Username } from '../schema-kit.js';

const IDENTIFIER = { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', 'x-rule': 'expected an identifier: a letter or _, then letters, digits or _' };

export const clickhouseSchema = Type.Object(
  {
    url: HttpUrl('ClickHouse HTTP endpoint.', ['http://localhost:8123']),
    database: Type.String({ minLength: 1, maxLength: 255, ...IDENTIFIER, description: 'Database name.', examples: ['mqtt'] }),
    table: Type.String({ minLength: 1, maxLength: 255, ...IDENTIFIER, description: 'Table name.', examples: ['messages'] }),
    username: Username({ default: 'default' }),
    password: Password({ default: '' }),
    payload_format: Type.Enum(['raw', 'json'], { default: 'raw', description: 'raw: one row (topic, payload, qos, retain, timestamp) per message; json: the JSON payload\'s fields mapped to columns.' }),
    create_table: Type.Boolean({ default: false, description: 'Create the table for the raw mapping if it does not exist.' }),
    id_column: Type.Optional(Type.String({ minLength: 1, maxLength: 255, ...IDENTIFIER, description: 'Column that receives each record\'s stable id (a String column; `create_table` adds it), so that redelivered rows can be deduplicated, e.g. with ReplacingMergeTree ordered by it. Unset: no id column.', examples: ['sluice_id'] })),
    compression: Type.Boolean({ default: false, description: 'gzip-compress insert requests.' }),
    pool_size: PoolSize({ default: 8, description: 'Maximum open HTTP connections.' }),
    timeout_secs: TimeoutSecs({ default: 15 }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { url: 'http://localhost:8123', database: 'mqtt', table: 'messages' },
      { url: 'https://clickhouse:8443', database: 'mqtt', table: 'messages', username: 'sluice', password: '${env:SLUICE_SECRET_CLICKHOUSE_PASSWORD}', create_table: true, id_column: 'sluice_id' },
    ],
  },
);

export type ClickHouseConfig = Static<typeof clickhouseSchema>;

export const clickhouseType: ConnectorType<typeof clickhouseSchema> = {
  name: 'clickhouse',
  title: 'ClickHouse',
  description: 'Inserts each batch into a ClickHouse table with one INSERT (JSONEachRow over HTTP).',
  inFlight: { default: 1, max: 16 },
  loadSink: () => import('../../connectors/clickhouse/index.js'),
  schema: clickhouseSchema,
  check(config) {
    return config.create_table === true && config.payload_format === 'json'
      ? [{ path: 'create_table', rule: 'only works with payload_format raw (a json table\'s columns are yours to define)' }]
      : [];
  },
};
