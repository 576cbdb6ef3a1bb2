// Fleet mode end to end: three `sluice serve` processes share one PostgreSQL definition store and
// one Mosquitto. A connector created through one process runs on all three, the broker splits its
// stream (shared subscription), a kill -9 of one process loses nothing, the status of any process
// adds up the fleet, and a delete through another process stops it everywhere and ends every
// broker session.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import mqtt from 'mqtt';
import type { FleetConnectorStatus } from '../../src/core/fleet-status.js';
import type { FleetInstance } from '../../src/core/fleet-member.js';
import { Api, countSeqs, duplicates, missing, publishNumbered, range, readJsonLines, startMosquitto, type Status, waitFor } from '../helpers/runtime.js';
import { startSluiceProcess, type SluiceProcess } from '../helpers/sluice-process.js';
import { startStorePostgres } from '../helpers/store-postgres.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const N = 30_000;
const BATCH = 500;
const RECEIVE_MAXIMUM = 200;
const OUT = 'out/fleet.jsonl';

type FleetStatus = Status & { fleet?: FleetConnectorStatus };

interface Node {
  name: string;
  dir: string;
  proc: SluiceProcess;
  api: Api;
}

test('three processes on one shared store: created on one runs on all, split, kill -9 loses nothing, status adds up, delete ends it everywhere', { timeout: 300_000 }, async (t) => {
  const [{ svc: broker, url: mqttUrl }, pgStore] = await Promise.all([startMosquitto(), startStorePostgres()]);
  t.after(() => broker.stop());
  t.after(() => pgStore.stop());
  const db = `sluice_fleet_${process.pid}`;
  await pgStore.admin.query(`CREATE DATABASE ${db}`);
  const storeUrl = pgStore.url(db);
  const root = mkdtempSync(join(tmpdir(), 'sluice-fleet-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));

  const envOf = (name: string, dir: string): Record<string, string> => ({
    SLUICE_STORE_URL: storeUrl,
    SLUICE_MQTT_URL: mqttUrl,
    SLUICE_MQTT_RECEIVE_MAXIMUM: String(RECEIVE_MAXIMUM),
    SLUICE_JOURNAL_DB: join(dir, 'journal.db'),
    SLUICE_DB: join(dir, 'unused.db'),
    SLUICE_INSTANCE_NAME: name,
    SLUICE_HEARTBEAT_MS: '300',
    SLUICE_INSTANCE_TIMEOUT_MS: '3000',
  });
  const start = async (name: string, dir: string): Promise<Node> => {
    const proc = await startSluiceProcess(envOf(name, dir), 60_000, dir);
    return { name, dir, proc, api: new Api(proc.url) };
  };
  const nodes: Node[] = [];
  t.after(async () => {
    for (const n of nodes) await n.proc.kill('SIGTERM');
  });
  for (const name of ['node-a', 'node-b', 'node-c']) {
    const dir = join(root, name);
    mkdirSync(dir);
    nodes.push(await start(name, dir));
  }
  const [a, b, c] = nodes as [Node, Node, Node];

  // the file sink's relative path resolves in each process's own directory: one output file per process
  await a.api.create({ name: 'fleet', type: 'file', topic_filter: 'fleet/#', config: { local_file_path: OUT }, delivery: { batch_size: BATCH, linger_ms: 20 } });
  for (const n of nodes) await n.api.until('fleet', `${n.name}: created elsewhere and subscribed`, (s) => s.source_connected, 30_000);

  const fleet = await waitFor('every process in the fleet list, alive', async () => {
    const r = await c.api.ok<{ instance_id: string; instances: FleetInstance[] }>('GET', '/api/v1/fleet');
    return r.instances.filter((i) => i.alive).length === 3 ? r : undefined;
  });
  assert.deepEqual(fleet.instances.map((i) => i.name).sort(), ['node-a', 'node-b', 'node-c']);
  assert.equal(fleet.instances.filter((i) => i.self).length, 1);
  const idOf = new Map(fleet.instances.map((i) => [i.name, i.id]));

  // 30,000 QoS 1 messages; node-b is killed -9 a third of the way through and started again
  const publishing = publishNumbered({ url: mqttUrl, seqs: range(1, N + 1), topic: (seq) => `fleet/${seq % 8}`, clientId: 'fleet-pub', window: 500 });
  await waitFor('a third of the stream taken by the fleet', async () => {
    const s = (await Promise.all(nodes.map((n) => n.api.status('fleet')))).reduce((sum, x) => sum + x.received, 0);
    return s >= N / 3 ? true : undefined;
  }, { timeoutMs: 120_000, intervalMs: 50 });
  const killed = await b.proc.kill('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  const gone = await waitFor('node-b shown as gone', async () => {
    const s = await a.api.ok<FleetStatus>('GET', '/api/v1/connectors/fleet/status');
    const bRow = s.fleet?.instances.find((i) => i.instance_name === 'node-b');
    return bRow && !bRow.alive ? s : undefined;
  }, { timeoutMs: 20_000, intervalMs: 200 });
  assert.equal(gone.fleet?.alive, 2);
  nodes[1] = await start('node-b', b.dir);
  const pub = await publishing;
  assert.equal(pub.acked.size, N, 'every publish acknowledged');

  const settledAll = async (): Promise<FleetStatus[]> =>
    waitFor('the fleet drained every message', async () => {
      const all = await Promise.all(nodes.map((n) => n.api.ok<FleetStatus>('GET', '/api/v1/connectors/fleet/status')));
      const written = all.reduce((sum, s) => sum + s.written, 0);
      return written >= N && all.every((s) => s.pending === 0) ? all : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250 });
  const statuses = await settledAll();
  const counts = countSeqs(nodes.flatMap((n) => readJsonLines(join(n.dir, OUT))));
  assert.deepEqual(missing(pub.acked, counts), [], 'no acknowledged message missing across the three files');
  const dups = duplicates(counts);
  t.diagnostic(`received per process: ${statuses.map((s, i) => `${nodes[i]?.name} ${s.received}`).join(', ')}; duplicates after one kill -9: ${dups}`);
  assert.ok(dups <= RECEIVE_MAXIMUM + BATCH, `duplicates ${dups} within the documented bound per kill (Receive Maximum ${RECEIVE_MAXIMUM} + batch_size ${BATCH})`);
  for (const s of statuses) assert.ok(s.received > 0, 'the broker gave every process a share');

  // the aggregated status of any process adds up the fleet's own numbers
  const agg = await waitFor('heartbeats caught up with the drained counters', async () => {
    const s = await c.api.ok<FleetStatus>('GET', '/api/v1/connectors/fleet/status');
    const own = await Promise.all(nodes.map((n) => n.api.status('fleet')));
    const f = s.fleet;
    if (!f || f.instances.length !== 3 || f.alive !== 3) return undefined;
    return f.total.written === own.reduce((n, x) => n + x.written, 0) && f.total.pending === 0 ? { f, own } : undefined;
  }, { timeoutMs: 20_000, intervalMs: 200 });
  const sum = (k: 'received' | 'written' | 'pending') => agg.f.instances.reduce((n, i) => n + i[k], 0);
  assert.equal(agg.f.total.received, sum('received'));
  assert.equal(agg.f.total.written, sum('written'));
  assert.equal(agg.f.total.received, agg.f.total.written + agg.f.total.discarded_total + agg.f.total.dead_lettered + agg.f.total.filtered + agg.f.total.pending, 'received = written + discarded + dead-lettered + filtered + pending, fleet-wide');
  assert.equal(agg.f.total.written, [...counts.values()].reduce((n, x) => n + x, 0), 'the fleet total is what the files hold');
  assert.equal(agg.f.instances.filter((i) => i.self).length, 1);

  // node-a (where it was created) is down while the connector is deleted through node-c: the
  // running ones stop it at once, node-a removes its journal and broker session when it returns
  await nodes[0]?.proc.kill('SIGTERM');
  assert.equal((await c.api.request('DELETE', '/api/v1/connectors/fleet')).status, 204);
  for (const n of nodes.slice(1)) {
    await waitFor(`${n.name}: the connector is gone`, async () => ((await n.api.request('GET', '/api/v1/connectors/fleet/status')).status === 404 ? true : undefined), { timeoutMs: 10_000, intervalMs: 100 });
  }
  nodes[0] = await start('node-a', a.dir);
  assert.equal((await nodes[0].api.request('GET', '/api/v1/connectors/fleet/status')).status, 404, 'node-a does not bring it back');
  for (const [name, id] of idOf) {
    const clientId = `sluice_${id.slice(0, 8)}/default:fleet`;
    await waitFor(`${name}: broker session ${clientId} gone`, async () => ((await sessionPresent(mqttUrl, clientId)) ? undefined : true), { timeoutMs: 10_000, intervalMs: 250 });
  }

  // a stopped member's journal can be checked (or moved) on its own: the definitions are not local
  await nodes[1]?.proc.kill('SIGTERM');
  const check = spawnSync(process.execPath, [join(ROOT, 'bin', 'sluice.js'), 'journal', 'check', '--journal-db', join(b.dir, 'journal.db')], { env: { ...process.env, SLUICE_STORE_URL: storeUrl }, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /SLUICE_JOURNAL_DB=.*journal\.db: ok/);
  assert.doesNotMatch(check.stdout, /SLUICE_DB=/);
});

test('a shared store needs an external broker, and an unreachable store is named without its password', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-fleet-refusal-'));
  try {
    const url = 'postgres://sluice:s3cret-pw@127.0.0.1:1/db';
    await assert.rejects(startSluiceProcess({ SLUICE_STORE_URL: url, SLUICE_JOURNAL_DB: join(dir, 'j.db') }, 30_000, dir), (e: Error) => {
      assert.match(e.message, /SLUICE_STORE_URL: a shared store is fleet mode, and a fleet needs one external broker/);
      return true;
    });
    await assert.rejects(startSluiceProcess({ SLUICE_STORE_URL: url, SLUICE_MQTT_URL: 'mqtt://127.0.0.1:1', SLUICE_JOURNAL_DB: join(dir, 'j.db') }, 30_000, dir), (e: Error) => {
      assert.match(e.message, /SLUICE_STORE_URL \(postgres:\/\/sluice:\*+@127\.0\.0\.1:1\/db\): the definition store \(PostgreSQL\) is unavailable/);
      assert.doesNotMatch(e.message, /s3cret-pw/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Whether the broker still keeps a session for `clientId` (a probe that leaves none behind: expiry 0). */
async function sessionPresent(url: string, clientId: string): Promise<boolean> {
  const c = mqtt.connect(url, { clientId, clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 0 }, reconnectPeriod: 0, connectTimeout: 5000 });
  try {
    return await new Promise<boolean>((resolve, reject) => {
      c.once('connect', (connack) => resolve(connack.sessionPresent));
      c.once('error', reject);
    });
  } finally {
    await c.endAsync();
  }
}
