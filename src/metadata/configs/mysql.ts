import Type, { type Static } from 'typebox';
import type { ConnectorType } from '../connector-type.js';
import { sqlCheck, sqlFields } from './sql-fields.js';

export const mysqlSchema = Type.Object(sqlFields('mysql', 3306), {
  additionalProperties: false,
  // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
  examples: [
    { host: 'localhost', database: 'mqtt_data', username: 'root', table: 'mqtt_messages' },
    { host: 'mysql.local', port: 3306, database: 'mqtt_data', username: 'sluice', password: '${env:SLUICE_SECRET_MYSQL_PASSWORD}', table: 'mqtt_messages', create_table: true, pool_size: 4 },
    { host: 'mysql.local', database: 'iot', username: 'sluice', password: '${env:SLUICE_SECRET_MYSQL_PASSWORD}', table: 'device_status', enable_upsert: true, conflict_columns: 'topic', create_table: true },
  ],
});

export type MysqlConfig = Static<typeof mysqlSchema>;

export const mysqlType: ConnectorType<typeof mysqlSchema> = {
  name: 'mysql',
  title: 'MySQL / MariaDB',
  description: 'Inserts each batch into a MySQL or MariaDB table with multi-row prepared INSERTs keyed by the record id (or one INSERT per record from sql_template).',
  inFlight: { default: 1, max: 16 },
  loadSink: () => import('../../connectors/mysql/index.js'),
  schema: mysqlSchema,
  check: (config) => sqlCheck(config, 'mysql'),
};
