// Tables of the local journal database (separate from the definition store, always local SQLite).
export const JOURNAL_MIGRATIONS: readonly string[] = [
  `CREATE TABLE connector_state (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     tenant TEXT NOT NULL,
     name TEXT NOT NULL,
     committed_offset INTEGER NOT NULL DEFAULT 0,
     written INTEGER NOT NULL DEFAULT 0,
     discarded TEXT NOT NULL DEFAULT '{}',
     dead_lettered INTEGER NOT NULL DEFAULT 0,
     retries INTEGER NOT NULL DEFAULT 0,
     dlq_replayed INTEGER NOT NULL DEFAULT 0,
     last_success_at INTEGER,
     UNIQUE (tenant, name)
   );
   CREATE TABLE journal (
     connector_id INTEGER NOT NULL,
     offset INTEGER NOT NULL,
     topic TEXT NOT NULL,
     payload BLOB NOT NULL,
     qos INTEGER NOT NULL,
     retain INTEGER NOT NULL,
     ts INTEGER NOT NULL,
     props TEXT,
     PRIMARY KEY (connector_id, offset)
   ) WITHOUT ROWID;
   CREATE TABLE dead_letters (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     connector_id INTEGER NOT NULL,
     source_topic TEXT NOT NULL,
     error_message TEXT NOT NULL,
     retry_times INTEGER NOT NULL,
     payload BLOB NOT NULL,
     qos INTEGER NOT NULL,
     retain INTEGER NOT NULL,
     props TEXT,
     original_timestamp INTEGER NOT NULL,
     dead_letter_timestamp INTEGER NOT NULL
   );
   CREATE INDEX dead_letters_by_connector ON dead_letters (connector_id, id);`,
  // the highest offset ever dropped (drop_oldest), so offsets are never handed out twice
  `ALTER TABLE connector_state ADD COLUMN dropped_up_to INTEGER NOT NULL DEFAULT 0;`,
  // record ids: a random epoch per connector incarnation + the offset; dead letters keep theirs
  `ALTER TABLE connector_state ADD COLUMN epoch TEXT;
   UPDATE connector_state SET epoch = lower(hex(randomblob(8)));
   ALTER TABLE dead_letters ADD COLUMN record_id TEXT;
   ALTER TABLE dead_letters ADD COLUMN record_offset INTEGER;
   UPDATE dead_letters SET record_id = (SELECT epoch FROM connector_state WHERE connector_state.id = dead_letters.connector_id) || '-d' || dead_letters.id;`,
  // QoS 2 packet ids journaled but not yet released (PUBREL); the instance id of this data dir;
  // connectors that exist now keep the client id of their broker session (<prefix><tenant>_<name>)
  `CREATE TABLE qos2_receipts (
     connector_id INTEGER NOT NULL,
     packet_id INTEGER NOT NULL,
     PRIMARY KEY (connector_id, packet_id)
   ) WITHOUT ROWID;
   CREATE TABLE instance (id TEXT NOT NULL);
   INSERT INTO instance (id) VALUES (lower(hex(randomblob(8))));
   ALTER TABLE connector_state ADD COLUMN legacy_client_id INTEGER NOT NULL DEFAULT 0;
   UPDATE connector_state SET legacy_client_id = 1;`,
  // received is counted at intake, no longer derived from the other counters, so the accounting
  // identity can fail; an existing journal starts from the value it derived until now
  `ALTER TABLE connector_state ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
   UPDATE connector_state SET received = written + dead_lettered
     + (SELECT COALESCE(SUM(value), 0) FROM json_each(connector_state.discarded))
     + (SELECT COUNT(*) FROM journal WHERE journal.connector_id = connector_state.id AND journal.offset > connector_state.committed_offset);`,
  // records a connector's transform filter dropped: a fifth term of the accounting identity
  `ALTER TABLE connector_state ADD COLUMN filtered INTEGER NOT NULL DEFAULT 0;`,
];
