// The embedded definition store: one SQLite file (WAL), versioned migrations, every write a transaction.
import type Database from 'better-sqlite3';
import { SluiceError } from '../errors.js';
import { answers, migrate, openDatabase } from '../sqlite.js';
import type { ConnectorDefinition, DefinitionContent } from './definition.js';
import { type DefinitionRow, fromRow, SORT_COLUMNS } from './definition-row.js';
import { SecretSealer } from './secrets-at-rest.js';
import type { DefinitionStore, ListQuery, ListResult } from './store.js';

export const DEFAULT_DB_PATH = './data/sluice.db';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE connectors (
     tenant TEXT NOT NULL,
     name TEXT NOT NULL,
     type TEXT NOT NULL,
     config TEXT NOT NULL,
     topic_filter TEXT NOT NULL,
     failure_strategy TEXT NOT NULL,
     delivery TEXT NOT NULL,
     desired_state TEXT NOT NULL,
     description TEXT NOT NULL DEFAULT '',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     revision INTEGER NOT NULL,
     PRIMARY KEY (tenant, name)
   )`,
  // a connector's transform (JSON), NULL when it has none
  'ALTER TABLE connectors ADD COLUMN transform TEXT',
];

type Row = DefinitionRow;

export class SqliteDefinitionStore implements DefinitionStore {
  private readonly db: Database.Database;
  private closed = false;

  /** `sealer` encrypts secret fields at rest (SLUICE_SECRET_KEY); reads always open sealed values */
  constructor(
    readonly path: string = DEFAULT_DB_PATH,
    private readonly sealer: SecretSealer = new SecretSealer({}),
  ) {
    this.db = openDatabase(path);
    migrate(this.db, 'definitions', MIGRATIONS);
  }

  private read = (r: Row): ConnectorDefinition => fromRow(r, this.sealer);

  private stored(def: DefinitionContent): string {
    return JSON.stringify(this.sealer.seal(def.type, def.config));
  }

  /**
   * Brings every stored secret to the current key: plain values sealed, values of the previous
   * key re-sealed, in one transaction, without touching revisions. Throws (changing nothing)
   * naming the connector and field when a value cannot be opened. Returns how many connectors
   * were rewritten.
   */
  sealAll(): number {
    return this.db.transaction(() => {
      const rows = this.db.prepare('SELECT tenant, name, type, config FROM connectors ORDER BY tenant, name').all() as Pick<Row, 'tenant' | 'name' | 'type' | 'config'>[];
      const writes = rows.flatMap((r) => {
        const next = this.sealer.restored(r.type, JSON.parse(r.config) as Record<string, unknown>, `connector ${r.tenant}/${r.name}`);
        return next ? [{ r, config: JSON.stringify(next) }] : [];
      });
      const update = this.db.prepare('UPDATE connectors SET config = ? WHERE tenant = ? AND name = ?');
      for (const w of writes) update.run(w.config, w.r.tenant, w.r.name);
      return writes.length;
    })();
  }

  async list(q: ListQuery): Promise<ListResult> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.tenant !== undefined) {
      where.push('tenant = ?');
      args.push(q.tenant);
    }
    if (q.nameContains) {
      where.push("instr(name, ?) > 0");
      args.push(q.nameContains);
    }
    if (q.type) {
      where.push('type = ?');
      args.push(q.type);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM connectors ${clause}`).get(...args) as { n: number }).n;
    const order = `${SORT_COLUMNS[q.sortField]} ${q.sortDir === 'desc' ? 'DESC' : 'ASC'}, tenant ASC, name ASC`;
    const rows = this.db.prepare(`SELECT * FROM connectors ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...args, q.limit, (q.page - 1) * q.limit) as Row[];
    return { items: rows.map(this.read), total };
  }

  async all(): Promise<ConnectorDefinition[]> {
    return (this.db.prepare('SELECT * FROM connectors ORDER BY tenant, name').all() as Row[]).map(this.read);
  }

  async get(tenant: string, name: string): Promise<ConnectorDefinition | undefined> {
    const row = this.db.prepare('SELECT * FROM connectors WHERE tenant = ? AND name = ?').get(tenant, name) as Row | undefined;
    return row ? this.read(row) : undefined;
  }

  async create(c: DefinitionContent): Promise<ConnectorDefinition> {
    const now = new Date().toISOString();
    const def: ConnectorDefinition = { ...c, created_at: now, updated_at: now, revision: 1 };
    try {
      this.db
        .prepare('INSERT INTO connectors (tenant, name, type, config, topic_filter, failure_strategy, delivery, transform, desired_state, description, created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(def.tenant, def.name, def.type, this.stored(def), def.topic_filter, JSON.stringify(def.failure_strategy), JSON.stringify(def.delivery), def.transform ? JSON.stringify(def.transform) : null, def.desired_state, def.description, now, now, 1);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new SluiceError('CONFLICT', `connector ${def.tenant}/${def.name} already exists`);
      }
      throw e;
    }
    return def;
  }

  async update(c: DefinitionContent, expectedRevision?: number): Promise<ConnectorDefinition> {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM connectors WHERE tenant = ? AND name = ?').get(c.tenant, c.name) as Row | undefined;
      if (!row) throw new SluiceError('NOT_FOUND', `connector ${c.tenant}/${c.name} does not exist`);
      if (expectedRevision !== undefined && row.revision !== expectedRevision) {
        throw new SluiceError('CONFLICT', `connector ${c.tenant}/${c.name} is at revision ${row.revision}, not ${expectedRevision}`);
      }
      const def: ConnectorDefinition = { ...c, created_at: row.created_at, updated_at: new Date().toISOString(), revision: row.revision + 1 };
      this.db
        .prepare('UPDATE connectors SET type = ?, config = ?, topic_filter = ?, failure_strategy = ?, delivery = ?, transform = ?, desired_state = ?, description = ?, updated_at = ?, revision = ? WHERE tenant = ? AND name = ?')
        .run(def.type, this.stored(def), def.topic_filter, JSON.stringify(def.failure_strategy), JSON.stringify(def.delivery), def.transform ? JSON.stringify(def.transform) : null, def.desired_state, def.description, def.updated_at, def.revision, def.tenant, def.name);
      return def;
    })();
  }

  async delete(tenant: string, name: string): Promise<ConnectorDefinition | undefined> {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM connectors WHERE tenant = ? AND name = ?').get(tenant, name) as Row | undefined;
      if (!row) return undefined;
      this.db.prepare('DELETE FROM connectors WHERE tenant = ? AND name = ?').run(tenant, name);
      return this.read(row);
    })();
  }

  healthy(): boolean {
    return !this.closed && answers(this.db);
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
  }
}

/** the definition tables, for `sluice journal salvage` (which builds a fresh file) */
export { MIGRATIONS as DEFINITION_MIGRATIONS };
