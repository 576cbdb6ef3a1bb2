// `sluice journal salvage`: copies every readable definition, journal record and dead letter of
// damaged databases into fresh ones, and says exactly what could not be read — per connector,
// as offset ranges. A damaged B-tree page makes every read that touches it fail, so reading
// goes row by row and, at a failure, finds the next readable key by probing seeks past it
// (exponentially, then by bisection): each seek descends to a different leaf page.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { DEFINITION_MIGRATIONS } from '../metadata/sqlite-store.js';
import { migrate, openDatabase } from '../sqlite.js';
import { JOURNAL_MIGRATIONS } from './journal-schema.js';
import type { StateRow as JournalStateRow } from './journal.js';

export interface Range {
  from: number;
  /** null: to the end of the table (its last key could not be read either) */
  to: number | null;
}

export interface ConnectorSalvage {
  tenant: string;
  name: string;
  records_copied: number;
  /** offsets that could not be read (records after the committed offset are lost) */
  unreadable_offsets: Range[];
  /** lost records counted as discarded{journal_damaged}; unknown when a range has no known end */
  lost_records: number | null;
  dead_letters_copied: number;
  unreadable_dead_letter_ids: Range[];
}

export interface SalvageReport {
  definitions: { copied: number; unreadable_rowids: Range[]; error?: string };
  connectors: ConnectorSalvage[];
  /** set when the connector table itself could not be read (names and counters are lost) */
  journal_error?: string;
  out: { db: string; journal: string };
}

type Probe = (key: number) => number | undefined;

/** The smallest readable key ≥ after+1, or undefined when nothing after `after` can be read. */
function nextReadable(after: number, probe: Probe): number | undefined {
  const tryAt = (k: number): { ok: boolean; key?: number } => {
    try {
      return { ok: true, key: probe(k) };
    } catch {
      return { ok: false };
    }
  };
  let lo = after; // a key known to fail (or the last good one)
  let step = 1;
  let hi: number | undefined;
  while (after + step < Number.MAX_SAFE_INTEGER) {
    const r = tryAt(after + step);
    if (r.ok) {
      if (r.key === undefined) return undefined;
      hi = after + step;
      break;
    }
    lo = after + step;
    step *= 2;
  }
  if (hi === undefined) return undefined;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (tryAt(mid).ok) hi = mid;
    else lo = mid;
  }
  return tryAt(hi).key;
}

/**
 * Reads rows with key > `after` in key order, calling `take` for each; returns the key ranges
 * that could not be read. `rows(after)` iterates; `probe(k)` answers the first key ≥ k.
 */
function readAround<R>(after: number, rows: (after: number) => Iterable<R>, keyOf: (r: R) => number, probe: Probe, take: (r: R) => void): Range[] {
  const lost: Range[] = [];
  for (;;) {
    try {
      for (const r of rows(after)) {
        take(r);
        after = keyOf(r);
      }
      return lost;
    } catch {
      const next = nextReadable(after, probe);
      if (next === undefined) {
        lost.push({ from: after + 1, to: null });
        return lost;
      }
      lost.push({ from: after + 1, to: next - 1 });
      after = next - 1;
    }
  }
}

/** Columns of `table` in both files, so a column added by a later migration is copied too. */
function sharedColumns(src: Database.Database, out: Database.Database, table: string): string[] {
  const names = (db: Database.Database) => (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
  const there = new Set(names(out));
  return names(src).filter((n) => there.has(n));
}

/**
 * The data dir's instance id (the dead-letter publisher's client id is built from it) and the
 * open QoS 2 receipts (packet ids journaled but not yet released, which recognise a redelivery).
 * Best effort: an unreadable table leaves the fresh one (a new instance id; a redelivered QoS 2
 * message may then be journaled twice, never lost) and is named in the report.
 */
function copyInstanceTables(src: Database.Database, out: Database.Database, report: SalvageReport): void {
  for (const table of ['instance', 'qos2_receipts']) {
    const cols = sharedColumns(src, out, table);
    if (cols.length === 0) continue;
    try {
      const rows = src.prepare(`SELECT ${cols.join(', ')} FROM ${table}`).all() as Record<string, unknown>[];
      out.transaction(() => {
        if (table === 'instance' && rows.length > 0) out.prepare('DELETE FROM instance').run();
        const insert = out.prepare(`INSERT OR IGNORE INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
        for (const r of rows) insert.run(...cols.map((c) => r[c]));
      })();
    } catch (e) {
      report.journal_error = `${report.journal_error ? `${report.journal_error}; ` : ''}${table} cannot be read (${(e as Error).message}): a fresh one is used`;
    }
  }
}

function openSource(path: string): Database.Database | undefined {
  return existsSync(path) ? new Database(path, { readonly: true, fileMustExist: true }) : undefined;
}

/** The columns salvage copies one by one (the others are copied by name, whatever they are). */
type StateRow = Omit<JournalStateRow, 'received' | 'epoch'> & { tenant: string; name: string };

function salvageDefinitions(srcPath: string, outPath: string): SalvageReport['definitions'] {
  const src = openSource(srcPath);
  const out = openDatabase(outPath);
  migrate(out, 'definitions', DEFINITION_MIGRATIONS);
  const report: SalvageReport['definitions'] = { copied: 0, unreadable_rowids: [] };
  try {
    if (!src) return report;
    const cols = 'tenant, name, type, config, topic_filter, failure_strategy, delivery, desired_state, description, created_at, updated_at, revision';
    const insert = out.prepare(`INSERT OR IGNORE INTO connectors (${cols}) VALUES (${cols.split(', ').map(() => '?').join(', ')})`);
    const read = src.prepare(`SELECT rowid AS rid, ${cols} FROM connectors WHERE rowid > ? ORDER BY rowid`);
    const probe = src.prepare('SELECT rowid AS rid FROM connectors WHERE rowid >= ? ORDER BY rowid LIMIT 1');
    out.transaction(() => {
      report.unreadable_rowids = readAround(
        0,
        (after) => read.iterate(after) as Iterable<Record<string, unknown>>,
        (r) => r.rid as number,
        (k) => (probe.get(k) as { rid: number } | undefined)?.rid,
        (r) => {
          const { rid: _rid, ...row } = r;
          insert.run(...Object.values(row));
          report.copied += 1;
        },
      );
    })();
  } catch (e) {
    report.error = (e as Error).message;
  } finally {
    src?.close();
    out.close();
  }
  return report;
}

function lostCount(ranges: Range[], state: StateRow, maxOffset: number | undefined): number | null {
  let n = 0;
  for (const r of ranges) {
    const to = r.to ?? maxOffset;
    if (to === undefined) return null;
    // below dropped_up_to some offsets were dropped on purpose (drop_oldest): not countable
    const from = Math.max(r.from, state.committed_offset + 1);
    if (from > to) continue;
    if (from <= state.dropped_up_to) return null;
    n += to - from + 1;
  }
  return n;
}

function salvageJournal(srcPath: string, outPath: string, report: SalvageReport): void {
  const src = openSource(srcPath);
  const out = openDatabase(outPath);
  migrate(out, 'journal', JOURNAL_MIGRATIONS);
  try {
    if (!src) return;
    let states: StateRow[];
    try {
      states = src.prepare('SELECT * FROM connector_state ORDER BY id').all() as StateRow[];
    } catch (e) {
      report.journal_error = `connector_state cannot be read (${(e as Error).message}): connector names and counters are lost, so no journal record can be attributed`;
      return;
    }
    copyInstanceTables(src, out, report);
    const insertState = out.prepare('INSERT INTO connector_state (id, tenant, name, committed_offset, written, discarded, dead_lettered, retries, dlq_replayed, last_success_at, dropped_up_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const insertRow = out.prepare('INSERT INTO journal (connector_id, offset, topic, payload, qos, retain, ts, props) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const read = src.prepare('SELECT connector_id, offset, topic, payload, qos, retain, ts, props FROM journal WHERE connector_id = ? AND offset > ? ORDER BY offset');
    const probe = src.prepare('SELECT offset FROM journal WHERE connector_id = ? AND offset >= ? ORDER BY offset LIMIT 1');
    const maxOffset = src.prepare('SELECT MAX(offset) AS m FROM journal WHERE connector_id = ?');
    const dlCols = sharedColumns(src, out, 'dead_letters').join(', ');
    const stateExtra = sharedColumns(src, out, 'connector_state').filter((c) => !['id', 'tenant', 'name', 'committed_offset', 'written', 'discarded', 'dead_lettered', 'retries', 'dlq_replayed', 'last_success_at', 'dropped_up_to'].includes(c));
    const updateExtra = stateExtra.map((c) => out.prepare(`UPDATE connector_state SET ${c} = ? WHERE id = ?`));
    const readDl = src.prepare(`SELECT ${dlCols} FROM dead_letters WHERE connector_id = ? AND id > ? ORDER BY id`);
    const probeDl = src.prepare('SELECT id FROM dead_letters WHERE connector_id = ? AND id >= ? ORDER BY id LIMIT 1');
    const insertDl = out.prepare(`INSERT INTO dead_letters (${dlCols}) VALUES (${dlCols.split(', ').map(() => '?').join(', ')})`);
    for (const st of states) {
      const c: ConnectorSalvage = { tenant: st.tenant, name: st.name, records_copied: 0, unreadable_offsets: [], lost_records: 0, dead_letters_copied: 0, unreadable_dead_letter_ids: [] };
      out.transaction(() => {
        c.unreadable_offsets = readAround(
          st.committed_offset,
          (after) => read.iterate(st.id, after) as Iterable<Record<string, unknown>>,
          (r) => r.offset as number,
          (k) => (probe.get(st.id, k) as { offset: number } | undefined)?.offset,
          (r) => {
            insertRow.run(...Object.values(r));
            c.records_copied += 1;
          },
        );
        let max: number | undefined;
        try {
          max = (maxOffset.get(st.id) as { m: number | null }).m ?? undefined;
        } catch {
          max = undefined;
        }
        c.lost_records = lostCount(c.unreadable_offsets, st, max);
        // the lost records keep their place in the accounting: received stays what it was
        const discarded = JSON.parse(st.discarded) as Record<string, number>;
        if (c.lost_records) discarded.journal_damaged = (discarded.journal_damaged ?? 0) + c.lost_records;
        insertState.run(st.id, st.tenant, st.name, st.committed_offset, st.written, JSON.stringify(discarded), st.dead_lettered, st.retries, st.dlq_replayed, st.last_success_at, Math.max(st.dropped_up_to, ...c.unreadable_offsets.map((r) => r.to ?? max ?? 0)));
        stateExtra.forEach((col, i) => updateExtra[i]?.run((st as unknown as Record<string, unknown>)[col] ?? null, st.id));
        c.unreadable_dead_letter_ids = readAround(
          0,
          (after) => readDl.iterate(st.id, after) as Iterable<Record<string, unknown>>,
          (r) => r.id as number,
          (k) => (probeDl.get(st.id, k) as { id: number } | undefined)?.id,
          (r) => {
            insertDl.run(...Object.values(r));
            c.dead_letters_copied += 1;
          },
        );
      })();
      report.connectors.push(c);
    }
  } finally {
    src?.close();
    out.close();
  }
}

/** Salvages both databases into `outDb` / `outJournal`, which must not exist yet. */
export function salvage(srcDb: string, srcJournal: string, outDb: string, outJournal: string): SalvageReport {
  for (const p of [outDb, outJournal]) if (existsSync(p)) throw new Error(`${p} exists already: salvage writes into fresh files only`);
  const report: SalvageReport = { definitions: salvageDefinitions(srcDb, outDb), connectors: [], out: { db: outDb, journal: outJournal } };
  salvageJournal(srcJournal, outJournal, report);
  return report;
}
