// SQLite plumbing shared by the definition store (src/metadata) and the journal (src/core):
// opening a file in WAL mode, versioned migrations, a liveness probe. Belongs to neither layer.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Whether the database still answers a trivial query (for /ready). */
export function answers(db: Database.Database): boolean {
  try {
    db.prepare('SELECT 1').get();
    return true;
  } catch {
    return false;
  }
}

export function openDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Applies the migrations of `name` that the database has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database, name: string, migrations: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, version))');
  const applied = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations WHERE component = ?').get(name) as { v: number };
  migrations.forEach((sql, i) => {
    const version = i + 1;
    if (version <= applied.v) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)').run(name, version, new Date().toISOString());
    })();
  });
}
