// A journal with a damaged page (4 KiB overwritten in the middle, as in issue #12): Sluice
// refuses to start naming the file, the problem and the command; `sluice journal check` says
// DAMAGED; `sluice journal salvage` copies exactly the records that can still be read (checked
// one by one against the damaged file) and accounts the lost ones; Sluice on the salvaged files
// delivers every copied record and the counters still add up.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import mqtt from 'mqtt';
import type { SalvageReport } from '../../src/core/journal-salvage.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/server.js';
import { startSluiceProcess } from '../helpers/sluice-process.js';
import { Api, assertAccounting, range, seqOf, startWebhook } from '../helpers/runtime.js';

const N = 1000;
const dir = mkdtempSync(join(tmpdir(), 'sluice-damage-'));
const db = join(dir, 'sluice.db');
const journal = join(dir, 'journal.db');
const out = join(dir, 'salvaged');

after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));

/** The offsets of `connector` that can be read one by one from the damaged file. */
function readableOffsets(path: string, connectorId: number, upTo: number): Set<number> {
  const d = new Database(path, { readonly: true });
  const get = d.prepare('SELECT offset FROM journal WHERE connector_id = ? AND offset = ?');
  const ok = new Set<number>();
  for (let o = 1; o <= upTo; o++) {
    try {
      if (get.get(connectorId, o)) ok.add(o);
    } catch {
      /* on the damaged page */
    }
  }
  d.close();
  return ok;
}

describe('damaged journal', () => {
  test('refused at start, reported by check, salvaged record for record', { timeout: 240_000 }, async () => {
    const hook = await startWebhook(() => 200);
    try {
      const brokerPort = await freePort();
      const env = { SLUICE_DB: db, SLUICE_EMBEDDED_BROKER_PORT: String(brokerPort) };
      const first = await startSluiceProcess(env, 90_000);
      const api = new Api(first.url);
      await api.create({ name: 'dmg', type: 'webhook', topic_filter: 'dmg/#', desired_state: 'paused', config: { url: hook.url } });
      // the embedded broker speaks MQTT 3.1.1
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { protocolVersion: 4 });
      for (const seq of range(1, N + 1)) await client.publishAsync('dmg/x', JSON.stringify({ seq, pad: 'p'.repeat(200) }), { qos: 1 });
      await client.endAsync();
      await api.until('dmg', `${N} received`, (s) => s.received === N && s.pending === N);
      await first.kill('SIGTERM');

      // 4 KiB of noise on a page in the middle of the file
      const size = statSync(journal).size;
      const at = Math.floor(size / 2 / 4096) * 4096;
      const fd = openSync(journal, 'r+');
      writeSync(fd, randomBytes(4096), 0, 4096, at);
      closeSync(fd);

      await assert.rejects(startSluiceProcess(env, 90_000), (e: Error) => {
        assert.match(e.message, /exited before it was ready/);
        assert.ok(e.message.includes(`SLUICE_JOURNAL_DB=${journal} is damaged`), e.message);
        assert.match(e.message, /sluice journal check/);
        assert.match(e.message, /sluice journal salvage --out/);
        return true;
      });

      const check = await runCli(['journal', 'check', '--db', db]);
      assert.equal(check.code, 1, check.stdout + check.stderr);
      assert.match(check.stdout, new RegExp(`SLUICE_DB=${db}: ok`));
      assert.match(check.stdout, new RegExp(`SLUICE_JOURNAL_DB=${journal}: DAMAGED`));

      const intact = readableOffsets(journal, 1, N);
      assert.ok(intact.size < N && intact.size > 0, `the damaged page held records (${intact.size} of ${N} readable)`);
      const sal = await runCli(['journal', 'salvage', '--db', db, '--out', out, '--json']);
      assert.equal(sal.code, 0, sal.stderr);
      const report = JSON.parse(sal.stdout) as SalvageReport;
      assert.equal(report.definitions.copied, 1);
      const c = report.connectors.find((x) => x.name === 'dmg');
      assert.ok(c);
      assert.equal(c.records_copied, intact.size, 'every intact record copied');
      assert.equal(c.lost_records, N - intact.size, 'the rest reported lost');
      const reported = new Set(c.unreadable_offsets.flatMap((r) => range(r.from, (r.to ?? N) + 1)));
      for (let o = 1; o <= N; o++) assert.equal(reported.has(o), !intact.has(o), `offset ${o} reported ${reported.has(o) ? 'unreadable' : 'readable'}`);
      const instanceOf = (path: string) => {
        const d = new Database(path, { readonly: true });
        try {
          return (d.prepare('SELECT id FROM instance').get() as { id: string }).id;
        } finally {
          d.close();
        }
      };
      assert.equal(instanceOf(join(out, 'journal.db')), instanceOf(journal), 'the instance id (dead-letter publisher client id) survives the salvage');
      const text = await runCli(['journal', 'salvage', '--db', db, '--out', join(dir, 'again')]);
      assert.match(text.stdout, new RegExp(`default/dmg: ${intact.size} pending records copied, 0 dead letters copied; UNREADABLE offsets .* — ${N - intact.size} pending records lost, counted as discarded\\{journal_damaged\\}`));

      const again = await startSluiceProcess({ SLUICE_DB: join(out, 'sluice.db'), SLUICE_JOURNAL_DB: join(out, 'journal.db'), SLUICE_EMBEDDED_BROKER_PORT: String(await freePort()) }, 90_000);
      try {
        const api2 = new Api(again.url);
        const before = await api2.status('dmg');
        assert.equal(before.received, N, 'received kept: the lost records are counted, not forgotten');
        assert.equal(before.discarded.journal_damaged, N - intact.size);
        await api2.ok('POST', '/api/v1/connectors/dmg/resume');
        const s = await api2.until('dmg', 'drained', (st) => st.pending === 0, 60_000);
        assertAccounting(s);
        assert.equal(s.written, intact.size);
        assert.deepEqual(new Set(hook.written.map(seqOf)), intact, 'exactly the intact records delivered');
      } finally {
        await again.kill('SIGTERM');
      }
    } finally {
      await hook.close();
    }
  });
});
