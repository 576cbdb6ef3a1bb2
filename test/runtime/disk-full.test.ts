// The data directory on a 16 MiB tmpfs (mounted here, unmounted after; the tests run as root):
// while the disk is full /ready answers 503 naming the reason, an admin write answers 503
// SERVICE_UNAVAILABLE, nothing acknowledged is lost and the process never exits; when space
// returns, intake and delivery resume by themselves — also after the disk fills a second time
// while the backlog drains (the sweeper's deletes then fail: reported, not thrown).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort } from '../helpers/server.js';
import { startSluiceProcess, type SluiceProcess } from '../helpers/sluice-process.js';
import { Api, seqOf, sleep, startWebhook, waitFor, type WebhookServer } from '../helpers/runtime.js';

const base = mkdtempSync(join(tmpdir(), 'sluice-diskfull-'));
const mnt = join(base, 'data');
let sluice: SluiceProcess | undefined;
let hook: WebhookServer;
let accept = false;

/** Fills the file system with one file until ENOSPC; returns its path. */
function fill(dir: string): string {
  const path = join(dir, `filler-${Date.now()}`);
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Publishes numbered QoS 1 messages until `stop`; a message counts only when its PUBACK came. */
async function publishUntil(url: string, stop: () => boolean, acked: Set<number>, from: number): Promise<number> {
  let seq = from;
  let client: MqttClient | undefined;
  while (!stop()) {
    try {
      if (!client) {
        client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000, clientId: `dfpub-${seq}` });
        client.on('error', () => undefined);
      }
      const s = seq++;
      await Promise.race([client.publishAsync('df/x', JSON.stringify({ seq: s, pad: 'x'.repeat(500) }), { qos: 1 }), sleep(3000).then(() => Promise.reject(new Error('no PUBACK')))]);
      acked.add(s);
    } catch {
      client?.end(true);
      client = undefined;
      await sleep(100);
    }
  }
  client?.end(true);
  return seq;
}

before(() => {
  mkdirSync(mnt);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt], { encoding: 'utf8' });
  assert.equal(r.status, 0, `mount a 16 MiB tmpfs (the tests run as root): ${r.stderr}`);
});

after(async () => {
  await sluice?.kill('SIGKILL');
  await hook?.close();
  spawnSync('umount', ['-l', mnt]);
  rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

describe('disk full', () => {
  test('ready 503 with the reason, admin writes 503, no crash, resumes by itself', { timeout: 300_000 }, async () => {
    hook = await startWebhook(() => (accept ? 200 : 503));
    const brokerPort = await freePort();
    sluice = await startSluiceProcess({ SLUICE_DB: join(mnt, 'sluice.db'), SLUICE_EMBEDDED_BROKER_PORT: String(brokerPort) }, 90_000);
    const api = new Api(sluice.url);
    await api.create({ name: 'df', type: 'webhook', topic_filter: 'df/#', config: { url: hook.url }, failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 1000, wait_time_ms: 200 } });
    const acked = new Set<number>();
    const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;

    const filler = fill(mnt);
    let stopPublishing = false;
    const publishing = publishUntil(brokerUrl, () => stopPublishing, acked, 1);
    const ready = await waitFor('/ready 503 while the disk is full', async () => {
      const r = await api.request<{ reasons?: string[] }>('GET', '/ready');
      return r.status === 503 ? { status: r.status, body: r.body } : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    stopPublishing = true;
    let next = await publishing;
    assert.ok(ready.body.reasons?.some((x) => /journal .*journal\.db cannot take writes: disk full \(SQLITE_FULL\)/.test(x)), JSON.stringify(ready.body));
    const write = await api.request<{ error: string; message: string }>('POST', '/api/v1/connectors', { name: 'df2', type: 'webhook', topic_filter: 'df2/#', config: { url: hook.url } });
    assert.equal(write.status, 503, write.text);
    assert.equal(write.body.error, 'SERVICE_UNAVAILABLE');
    assert.match(write.body.message, /disk full/);
    assert.equal((await api.request('GET', '/health')).status, 200);

    // space returns: ready again without a restart, intake resumes
    unlinkSync(filler);
    accept = true;
    await waitFor('/ready 200 after space returned', async () => (await api.request('GET', '/ready')).status === 200, { timeoutMs: 60_000 });
    stopPublishing = false;
    let count = 0;
    next = await publishUntil(brokerUrl, () => ++count > 200, acked, next);

    // the disk fills again while the backlog drains: the sweeper's deletes fail, the process lives
    const again = fill(mnt);
    await sleep(3000);
    assert.equal((await api.request('GET', '/health')).status, 200, 'still alive with the disk full during recovery');
    unlinkSync(again);
    const delivered = () => new Set(hook.written.map(seqOf));
    const s = await api.until('df', 'every acknowledged message delivered', () => {
      const d = delivered();
      return acked.size > 0 && [...acked].every((a) => d.has(a));
    }, 120_000).catch((e: unknown) => {
      const d = delivered();
      throw new Error(`${(e as Error).message}; missing ${[...acked].filter((a) => !d.has(a)).slice(0, 20).join(',')}`);
    });
    assert.ok(s.written >= acked.size);
    assert.equal(sluice.child.exitCode, null, 'the process never exited');
    // the write probe clears the last failure within a second or two once nothing fails any more
    await waitFor('/ready 200 once the disk has room again', async () => ((await api.request('GET', '/ready')).status === 200 ? true : undefined), { timeoutMs: 15_000 });
    assert.ok(next > acked.size / 2);
  });
});
