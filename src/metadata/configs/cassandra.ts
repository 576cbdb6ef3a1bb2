import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { Password, Port, TimeoutSecs, Username } from '../schema-kit.js';

/** an unquoted CQL name: letters, digits and _, not starting with a digit; Cassandra folds it to lower case and allows 48 characters */
const CQL_NAME = '^[A-Za-z][A-Za-z0-9_]*$';
const NAME_RULE = 'expected a CQL name: letters, digits and _, starting with a letter, at most 48 characters';
/** a host name or IP address, optionally with its own :port */
const NODE = '^\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?$|^[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$|^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(:[0-9]{1,5})?$';

export const CONSISTENCY_LEVELS = ['any', 'one', 'two', 'three', 'quorum', 'all', 'local_quorum', 'each_quorum', 'local_one'] as const;

export const cassandraSchema = Type.Object(
  {
    nodes: Type.Array(
      Type.String({ minLength: 1, maxLength: 260, pattern: NODE, 'x-rule': 'expected a host name or IP address, optionally with :port' }),
      { minItems: 1, maxItems: 100, description: 'Contact points: host names or IP addresses of some nodes of the cluster (the driver discovers the others). A node may carry its own `:port`; without one it uses `port`.', examples: [['127.0.0.1']] },
    ),
    port: Port({ default: 9042, description: 'CQL native protocol port of the nodes.' }),
    keyspace: Type.String({ minLength: 1, maxLength: 48, pattern: CQL_NAME, 'x-rule': NAME_RULE, description: 'Keyspace of the table (folded to lower case, as Cassandra does with unquoted names).', examples: ['mqtt'] }),
    table: Type.String({ minLength: 1, maxLength: 48, pattern: CQL_NAME, 'x-rule': NAME_RULE, description: 'Table the messages are written to (folded to lower case). It needs an `id` (or RobustMQ\'s `msgid`) and a `payload` column; see the default table on the page.', examples: ['mqtt_messages'] }),
    username: Username({ default: '', description: 'User name for PasswordAuthenticator; empty: connect without credentials.' }),
    password: Password({ default: '' }),
    replication_factor: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'Replicas of the keyspace that `create_table` creates (SimpleStrategy, or NetworkTopologyStrategy in `local_datacenter` when that is set). An existing keyspace is left as it is (RobustMQ never uses this field).' }),
    timeout_secs: TimeoutSecs({ default: 15, description: 'Connect timeout, and the longest wait for the answer to one statement, in seconds (then the target counts as unavailable).' }),
    local_datacenter: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'The data center whose nodes coordinate the writes (DC-aware load balancing). Unset: every node the driver discovers, round robin, token-aware.', examples: ['datacenter1'] })),
    consistency: Type.Enum([...CONSISTENCY_LEVELS], { default: 'local_quorum', description: 'Consistency level of each INSERT: how many replicas must have written it before it counts as written.' }),
    concurrency: Type.Integer({ minimum: 1, maximum: 1024, default: 64, description: 'INSERTs in flight at once while a batch is written (each record is its own statement and its own outcome).' }),
    create_table: Type.Boolean({ default: false, description: 'Create the keyspace (with `replication_factor`) and the default table if they do not exist.' }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { nodes: ['127.0.0.1'], keyspace: 'mqtt', table: 'mqtt_messages' },
      { nodes: ['cass-node1', 'cass-node2', 'cass-node3'], port: 9042, keyspace: 'iot', table: 'device_events', username: 'sluice', password: '${env:SLUICE_SECRET_CASSANDRA_PASSWORD}', replication_factor: 3, local_datacenter: 'dc1', create_table: true },
    ],
  },
);

export type CassandraConfig = Static<typeof cassandraSchema>;
export type CassandraConsistency = CassandraConfig['consistency'];

export const cassandraType: ConnectorType<typeof cassandraSchema> = {
  name: 'cassandra',
  title: 'Apache Cassandra',
  description: 'Writes each message as a row of a Cassandra (or ScyllaDB) table with one INSERT per message (values bound as parameters) keyed by the record id, so a redelivery overwrites instead of duplicating.',
  loadSink: () => import('../../connectors/cassandra/index.js'),
  schema: cassandraSchema,
  check(config) {
    const errors: FieldError[] = [];
    if (config.password !== '' && config.username === '') errors.push({ path: 'username', rule: 'is required when password is set' });
    config.nodes.forEach((node, i) => {
      const { port } = parseNode(node, config.port);
      if (port < 1 || port > 65535) errors.push({ path: `nodes[${i}]`, rule: 'a node\'s :port must be 1–65535' });
    });
    return errors;
  },
};

/** A `nodes` entry as host and port (`port` when the entry has none); an IPv6 address without brackets has no port. */
export function parseNode(node: string, port: number): { host: string; port: number } {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(node);
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] === undefined ? port : Number(bracketed[2]) };
  if ((node.match(/:/g) ?? []).length > 1) return { host: node, port };
  const i = node.lastIndexOf(':');
  return i < 0 ? { host: node, port } : { host: node.slice(0, i), port: Number(node.slice(i + 1)) };
}
