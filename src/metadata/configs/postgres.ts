import Type, { type Static } from 'typebox';
import type { ConnectorType } from '../connector-type.js';
import { sqlCheck, sqlFields } from './sql-fields.js';

export const postgresSchema = Type.Object(sqlFields('postgres', 5432), {
  additionalProperties: false,
  // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
  examples: [
    { host: 'localhost', database: 'mqtt_data', username: 'postgres', table: 'mqtt_messages' },
    { host: 'postgres.local', port: 5432, database: 'mqtt_data', username: 'sluice', password: '${env:SLUICE_SECRET_POSTGRES_PASSWORD}', table: 'mqtt_messages', create_table: true, pool_size: 4 },
    { host: 'postgres.local', database: 'iot', username: 'sluice', password: '${env:SLUICE_SECRET_POSTGRES_PASSWORD}', table: 'device_status', enable_upsert: true, conflict_columns: 'topic', create_table: true },
  ],
});

export type PostgresConfig = Static<typeof postgresSchema>;

export const postgresType: ConnectorType<typeof postgresSchema> = {
  name: 'postgres',
  title: 'PostgreSQL',
  description: 'Inserts each batch into a PostgreSQL table with one INSERT keyed by the record id (or one INSERT per record from sql_template).',
  inFlight: { default: 4, max: 16 },
  loadSink: () => import('../../connectors/postgres/index.js'),
  schema: postgresSchema,
  check: (config) => sqlCheck(config, 'postgres'),
};
