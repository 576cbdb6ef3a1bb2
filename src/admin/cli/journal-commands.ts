// `sluice journal check|salvage`: local commands on the data files (no server involved).
// check reports the integrity of both databases; salvage copies what is readable into fresh ones.
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { ServerError, UsageError } from './cli-errors.js';
import { printJson, printOut } from './output.js';

interface FileFlags {
  db?: string;
  journalDb?: string;
  json?: boolean;
}

async function paths(flags: FileFlags): Promise<{ db: string; journal: string; sharedStore: boolean }> {
  const { settingsFromEnv } = await import('../../settings.js');
  const s = settingsFromEnv(process.env, { dbPath: flags.db, journalPath: flags.journalDb });
  return { db: s.dbPath, journal: s.journalPath, sharedStore: s.storeUrl !== undefined };
}

async function check(flags: FileFlags & { full?: boolean }): Promise<void> {
  const { checkIntegrity } = await import('../../metadata/database-file.js');
  const { existsSync } = await import('node:fs');
  const p = await paths(flags);
  const mode = flags.full ? 'full' : 'quick';
  const reports = [
    // with a shared store (fleet mode) the definitions are not in a local file
    ...(p.sharedStore ? [] : [{ setting: 'SLUICE_DB', ...(existsSync(p.db) ? checkIntegrity(p.db, mode) : { path: p.db, ok: false, problems: ['file does not exist'] }) }]),
    { setting: 'SLUICE_JOURNAL_DB', ...(existsSync(p.journal) ? checkIntegrity(p.journal, mode) : { path: p.journal, ok: false, problems: ['file does not exist'] }) },
  ];
  if (flags.json) printJson({ mode, files: reports });
  else {
    for (const r of reports) {
      printOut(`${r.setting}=${r.path}: ${r.ok ? 'ok' : 'DAMAGED'} (${mode === 'full' ? 'integrity_check' : 'quick_check'})`);
      for (const pr of r.problems) printOut(`  ${pr}`);
    }
  }
  const bad = reports.filter((r) => !r.ok);
  if (bad.length > 0) {
    if (!flags.json) printOut(`\nTo recover what is readable: sluice journal salvage --out <new dir>`);
    throw new ServerError(0, 'DAMAGED', `${bad.map((r) => r.path).join(' and ')}: not intact`);
  }
}

function range(r: { from: number; to: number | null }): string {
  return r.to === null ? `${r.from}–end` : r.from === r.to ? String(r.from) : `${r.from}–${r.to}`;
}

async function salvageCommand(flags: FileFlags & { out?: string }): Promise<void> {
  if (!flags.out) throw new UsageError('--out <dir>: the directory the salvaged sluice.db and journal.db are written to');
  const { lockHolder } = await import('../../metadata/data-lock.js');
  const { salvage } = await import('../../core/journal-salvage.js');
  const { mkdirSync } = await import('node:fs');
  const p = await paths(flags);
  for (const f of [p.db, p.journal]) {
    const holder = lockHolder(f);
    if (holder) throw new UsageError(`${f} is in use by pid ${holder.pid} on host ${holder.host}: stop that Sluice before salvaging`);
  }
  const outDir = resolve(flags.out);
  mkdirSync(outDir, { recursive: true });
  const report = salvage(p.db, p.journal, join(outDir, 'sluice.db'), join(outDir, 'journal.db'));
  if (flags.json) return printJson(report);
  const d = report.definitions;
  printOut(`definitions: ${d.copied} copied${d.unreadable_rowids.length ? `, unreadable rows ${d.unreadable_rowids.map(range).join(', ')}` : ''}${d.error ? ` (${d.error})` : ''}`);
  if (report.journal_error) printOut(`journal: ${report.journal_error}`);
  for (const c of report.connectors) {
    const lost = c.unreadable_offsets.length
      ? `; UNREADABLE offsets ${c.unreadable_offsets.map(range).join(', ')} — ${c.lost_records === null ? 'number of lost records unknown (not counted)' : `${c.lost_records} pending records lost, counted as discarded{journal_damaged}`}`
      : '';
    const dl = c.unreadable_dead_letter_ids.length ? `; unreadable dead letter ids ${c.unreadable_dead_letter_ids.map(range).join(', ')}` : '';
    printOut(`${c.tenant}/${c.name}: ${c.records_copied} pending records copied, ${c.dead_letters_copied} dead letters copied${lost}${dl}`);
  }
  printOut(`\nwritten: ${report.out.db} and ${report.out.journal}\nstart Sluice on them: SLUICE_DB=${report.out.db} SLUICE_JOURNAL_DB=${report.out.journal} sluice serve`);
}

export function registerJournalCommands(program: Command): void {
  const journal = program.command('journal').description('check or salvage the local databases (run where the data files are)');
  const files = (c: Command) =>
    c
      .option('--db <path>', 'definition database (env SLUICE_DB)')
      .option('--journal-db <path>', 'journal database (env SLUICE_JOURNAL_DB)');
  files(journal.command('check').description('integrity check of both databases (exit 1 when damaged)').option('--full', 'full integrity_check instead of quick_check')).action(check);
  files(journal.command('salvage').description('copy every readable definition, record and dead letter into fresh databases').requiredOption('--out <dir>', 'directory for the salvaged sluice.db and journal.db')).action(salvageCommand);
}
