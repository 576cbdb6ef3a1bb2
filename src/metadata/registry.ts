// The connector types Sluice knows. Adding a type: its config schema, its sink folder, one line here.
import { SluiceError } from '../errors.js';
import type { ConnectorType } from './connector-type.js';
import { cassandraType } from './configs/cassandra.js';
import { clickhouseType } from './configs/clickhouse.js';
import { elasticsearchType } from './configs/elasticsearch.js';
import { fileType } from './configs/file.js';
import { greptimeType } from './configs/greptime.js';
import { influxdbType } from './configs/influxdb.js';
import { kafkaType } from './configs/kafka.js';
import { mongodbType } from './configs/mongodb.js';
import { mqttType } from './configs/mqtt.js';
import { mysqlType } from './configs/mysql.js';
import { natsType } from './configs/nats.js';
import { opentsdbType } from './configs/opentsdb.js';
import { postgresType } from './configs/postgres.js';
import { pulsarType } from './configs/pulsar.js';
import { rabbitmqType } from './configs/rabbitmq.js';
import { redisType } from './configs/redis.js';
import { s3Type } from './configs/s3.js';
import { webhookType } from './configs/webhook.js';

const TYPES: readonly ConnectorType[] = [
  kafkaType,
  clickhouseType,
  influxdbType,
  mqttType,
  webhookType,
  fileType,
  postgresType,
  mysqlType,
  opentsdbType,
  greptimeType,
  natsType,
  redisType,
  rabbitmqType,
  mongodbType,
  pulsarType,
  elasticsearchType,
  s3Type,
  cassandraType,
];

// names and aliases are matched case-insensitively, so RobustMQ's `Kafka`, `MySQL` or `Postgres` need no alias
const byName = new Map(TYPES.flatMap((t) => [t.name, ...(t.aliases ?? [])].map((n) => [n.toLowerCase(), t] as const)));

export function connectorTypes(): readonly ConnectorType[] {
  return TYPES;
}

/** Finds a type by name or alias, case-insensitively; an unknown name lists the known ones. */
export function parseConnectorType(name: unknown, path = 'connector_type'): ConnectorType {
  const known = TYPES.map((t) => t.name).join(', ');
  if (typeof name !== 'string' || name.trim() === '') {
    throw new SluiceError('UNKNOWN_CONNECTOR_TYPE', `${path}: is required: one of ${known}`, [{ path, rule: `is required: one of ${known}` }]);
  }
  const t = byName.get(name.trim().toLowerCase());
  if (!t) {
    const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
    const rule = `unknown connector type ${JSON.stringify(shown)}; known types: ${known}`;
    throw new SluiceError('UNKNOWN_CONNECTOR_TYPE', `${path}: ${rule}`, [{ path, rule }]);
  }
  return t;
}
