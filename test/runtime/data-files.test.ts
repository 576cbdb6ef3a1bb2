// Start-up on data files an operator got wrong: a second instance on the same SLUICE_DB, a
// read-only mount, a file that is not a database, a lock left by a killed process. Each error
// names the path, the setting and the likely cause, and the process exits at once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort } from '../helpers/server.js';
import { startSluiceProcess } from '../helpers/sluice-process.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-datafiles-'));
after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));

async function refused(env: Record<string, string>): Promise<string> {
  let message = '';
  await assert.rejects(startSluiceProcess({ SLUICE_EMBEDDED_BROKER_PORT: String(await freePort()), ...env }, 90_000), (e: Error) => {
    message = e.message;
    return /exited before it was ready/.test(e.message);
  });
  return message;
}

describe('data files at start', () => {
  test('a second instance on the same SLUICE_DB exits naming the pid and host of the first', { timeout: 240_000 }, async () => {
    const db = join(dir, 'one', 'sluice.db');
    const first = await startSluiceProcess({ SLUICE_DB: db, SLUICE_EMBEDDED_BROKER_PORT: String(await freePort()) }, 90_000);
    try {
      const msg = await refused({ SLUICE_DB: db });
      assert.ok(msg.includes(`SLUICE_DB=${db} is in use by pid ${first.child.pid} on host ${hostname()}`), msg);
      // the journal has its own lock: a second instance with its own SLUICE_DB but the same journal
      const msg2 = await refused({ SLUICE_DB: join(dir, 'one-b', 'sluice.db'), SLUICE_JOURNAL_DB: join(dir, 'one', 'journal.db') });
      assert.ok(msg2.includes(`SLUICE_JOURNAL_DB=${join(dir, 'one', 'journal.db')} is in use by pid ${first.child.pid}`), msg2);
      assert.equal((await fetch(`${first.url}/ready`)).status, 200, 'the first instance is untouched');
    } finally {
      await first.kill('SIGTERM');
    }
    // after a SIGKILL the lock names a dead pid: the next start takes it over
    const killed = await startSluiceProcess({ SLUICE_DB: db, SLUICE_EMBEDDED_BROKER_PORT: String(await freePort()) }, 90_000);
    await killed.kill('SIGKILL');
    const next = await startSluiceProcess({ SLUICE_DB: db, SLUICE_EMBEDDED_BROKER_PORT: String(await freePort()) }, 90_000);
    await next.kill('SIGTERM');
  });

  test('a read-only mount: the path, the setting and "read-only"', { timeout: 240_000 }, async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro], { encoding: 'utf8' });
    assert.equal(mount.status, 0, `mount a read-only tmpfs (the tests run as root): ${mount.stderr}`);
    try {
      const msg = await refused({ SLUICE_DB: join(ro, 'sluice.db') });
      assert.match(msg, new RegExp(`SLUICE_DB=${ro}/sluice.db`));
      assert.match(msg, /read-only/);
    } finally {
      spawnSync('umount', [ro]);
    }
  });

  test('a file that is not a database', { timeout: 240_000 }, async () => {
    const db = join(dir, 'notdb', 'sluice.db');
    mkdirSync(join(dir, 'notdb'));
    writeFileSync(db, 'this is a text file, not SQLite\n'.repeat(200));
    const msg = await refused({ SLUICE_DB: db });
    assert.ok(msg.includes(`SLUICE_DB=${db} is not an SQLite database`), msg);
    assert.match(msg, /Check SLUICE_DB/);
  });
});
