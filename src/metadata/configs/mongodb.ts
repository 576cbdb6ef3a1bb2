import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { NoEffect, Password, Port, TimeoutSecs, tlsPairErrors, TlsFields, Username } from '../schema-kit.js';

/** one seed: a host name, IPv4 or [IPv6] address, with an optional :port */
const SEED = '(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:[0-9]{1,5})?';
// MongoDB's rules for names (a database name is also a directory name on the server)
const DATABASE_PATTERN = '^[^/\\\\. "$*<>:|?\\u0000]+$';
const COLLECTION_PATTERN = '^[^$\\u0000]+$';

export const mongodbSchema = Type.Object(
  {
    host: Type.String({
      minLength: 1, maxLength: 512, pattern: `^\\s*${SEED}\\s*(,\\s*${SEED}\\s*)*$`, 'x-rule': 'expected host, host:port, or a comma-separated list of them',
      description: 'MongoDB host name or IP address; for a replica set or several mongos routers, a comma-separated seed list (`db-1,db-2:27018`): a seed without a port uses `port`.',
      examples: ['localhost'],
    }),
    port: Port({ default: 27017, description: 'Port of every seed in `host` that names none.' }),
    database: Type.String({ minLength: 1, maxLength: 63, pattern: DATABASE_PATTERN, 'x-rule': 'a MongoDB database name: none of / \\ . space " $ * < > : | ?', description: 'Database to write into (created by the first insert).', examples: ['mqtt_data'] }),
    collection: Type.String({ minLength: 1, maxLength: 255, pattern: COLLECTION_PATTERN, 'x-rule': 'a MongoDB collection name: no $ and no NUL', description: 'Collection to write into (created by the first insert).', examples: ['mqtt_messages'] }),
    username: Type.Optional(Username({ description: 'User name; unset: no authentication.' })),
    password: Type.Optional(Password({ description: 'Password of `username` (SCRAM; the server offers SCRAM-SHA-256 or SCRAM-SHA-1).' })),
    auth_source: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Database that holds the user. Unset: `admin`, as MongoDB\'s clients default.', examples: ['admin'] })),
    deployment_mode: Type.Enum(['single', 'replicaset', 'sharded'], {
      default: 'single',
      description: '`single`: connect straight to `host` (a standalone server, or one member written to directly); `replicaset`: discover the members of `replica_set_name` from the seeds and write to its primary, following elections; `sharded`: the seeds are mongos routers, used in turn.',
    }),
    replica_set_name: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'The replica set\'s name (required with `deployment_mode: replicaset`; ignored otherwise).', examples: ['rs0'] })),
    ...TlsFields,
    max_pool_size: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'Most connections the client opens to each server (the sink writes one batch at a time).' }),
    min_pool_size: Type.Integer({ minimum: 0, maximum: 1000, default: 0, description: 'Connections the client keeps open to each server even when idle.' }),
    connect_timeout_secs: TimeoutSecs({ default: 10, description: 'Connect timeout for one connection, in seconds.' }),
    server_selection_timeout_secs: TimeoutSecs({ default: 30, description: 'How long a write may wait for a server to write to (the primary) before the target counts as unavailable, in seconds.' }),
    socket_timeout_secs: TimeoutSecs({ default: 60, maximum: 600, description: 'Longest wait for an answer on an open connection, in seconds (then the target counts as unavailable).' }),
    batch_size: NoEffect(Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }), 'The batch handed to the sink is the connector\'s `delivery.batch_size`; each is one insertMany.'),
    ordered_insert: Type.Boolean({ default: false, description: 'true: the server inserts a batch in order and stops at the first document it refuses (the rest are sent again after it); false: it inserts every document it can. RobustMQ\'s default is false too.' }),
    w: Type.String({ maxLength: 8, pattern: '^(majority|[0-9]|10)$', 'x-rule': 'expected 0 to 10 or majority', default: '1', description: 'Write concern: how many members must have a document before the insert counts (`majority`, or a number). `0` asks for no answer at all: every document counts as written once sent, and no failure can be seen.' }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { host: 'localhost', database: 'mqtt_data', collection: 'mqtt_messages' },
      { host: 'mongodb-0,mongodb-1,mongodb-2', database: 'iot_data', collection: 'sensor_readings', username: 'iot_user', password: '${env:SLUICE_SECRET_MONGODB_PASSWORD}', auth_source: 'admin', deployment_mode: 'replicaset', replica_set_name: 'rs0', w: 'majority' },
      { host: 'mongodb.example.com', database: 'iot', collection: 'readings', username: 'sluice', password: '${env:SLUICE_SECRET_MONGODB_PASSWORD}', enable_tls: true, tls_cert: '${file:/run/secrets/mongo.crt}', tls_key: '${file:/run/secrets/mongo.key}' },
    ],
  },
);

export type MongodbConfig = Static<typeof mongodbSchema>;

export const mongodbType: ConnectorType<typeof mongodbSchema> = {
  name: 'mongodb',
  title: 'MongoDB',
  description: 'Inserts each batch into a MongoDB collection with one insertMany, _id = the record id (a redelivered record is a duplicate that counts as written); a JSON payload is stored as a sub-document.',
  inFlight: { default: 1, max: 16 },
  loadSink: () => import('../../connectors/mongodb/index.js'),
  schema: mongodbSchema,
  check(config) {
    const errors: FieldError[] = [...tlsPairErrors(config)];
    if (config.deployment_mode === 'replicaset' && config.replica_set_name === undefined) errors.push({ path: 'replica_set_name', rule: 'is required when deployment_mode is replicaset' });
    if (config.deployment_mode === 'single' && config.host.includes(',')) errors.push({ path: 'host', rule: 'names one server with deployment_mode single; set replicaset or sharded for a seed list' });
    if (config.min_pool_size > config.max_pool_size) errors.push({ path: 'min_pool_size', rule: `must not be greater than max_pool_size (${config.max_pool_size})` });
    if (config.password !== undefined && config.username === undefined) errors.push({ path: 'username', rule: 'is required when password is set' });
    if (config.username !== undefined && config.password === undefined) errors.push({ path: 'password', rule: 'is required when username is set' });
    if (config.username === '') errors.push({ path: 'username', rule: 'must not be empty (leave it unset for no authentication)' });
    if (config.collection.startsWith('system.')) errors.push({ path: 'collection', rule: 'must not start with system. (reserved by MongoDB)' });
    return errors;
  },
};
