// The source broker over TLS with client certificates: Mosquitto requires a certificate signed
// by the test CA; Sluice presents SLUICE_MQTT_CERT_FILE / SLUICE_MQTT_KEY_FILE and verifies the
// broker with SLUICE_MQTT_CA_FILE. Without a certificate the broker refuses it, and the status says so.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { ensureOpenssl, startService, type RunningService } from '../harness/services.js';
import { startTestServer, tempDir } from '../helpers/server.js';
import { Api, readJsonLines } from '../helpers/runtime.js';
import { readSourceTls, settingsFromEnv } from '../../src/settings.js';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
async function makeCertificates(dir: string): Promise<void> {
  const bin = await ensureOpenssl();
  const openssl = (args: string[]) => execFileSync(bin, args, { stdio: 'ignore' });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'), '-days', '2', '-subj', '/CN=sluice-test-ca']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn, ext] of [['server', '127.0.0.1', ['-extfile', join(dir, 'server.ext')]], ['client', 'sluice', []]] as const) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`), '-subj', `/CN=${cn}`]);
    openssl(['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-out', join(dir, `${name}.pem`), '-days', '2', ...ext]);
  }
}

describe('source broker with TLS client certificates (Mosquitto, require_certificate)', () => {
  let dir: string;
  let svc: RunningService;
  let url: string;
  before(async () => {
    dir = tempDir('sluice-tls-');
    await makeCertificates(dir);
    svc = await startService('mosquitto', { extraConfig: [`cafile ${dir}/ca.pem`, `certfile ${dir}/server.pem`, `keyfile ${dir}/server.key`, 'require_certificate true'] });
    url = (svc.env.SLUICE_TEST_MQTT_URL as string).replace('mqtt://', 'mqtts://');
  });
  after(async () => {
    await svc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('with its certificate Sluice connects, subscribes and journals what is published', { timeout: 60_000 }, async (t) => {
    const server = await startTestServer({ mqttUrl: url, mqttCaFile: join(dir, 'ca.pem'), mqttCertFile: join(dir, 'client.pem'), mqttKeyFile: join(dir, 'client.key') });
    t.after(() => server.cleanup());
    const api = new Api(server.url);
    const out = join(server.dir, 'out.jsonl');
    await api.create({ name: 'tls', type: 'file', topic_filter: 'secure/#', config: { local_file_path: out }, delivery: { linger_ms: 5 } });
    await api.until('tls', 'source connected', (s) => s.source_connected, 30_000);
    const pub = await mqtt.connectAsync(url, { ca: readFileSync(join(dir, 'ca.pem')), cert: readFileSync(join(dir, 'client.pem')), key: readFileSync(join(dir, 'client.key')), clientId: 'tls-pub' });
    try {
      for (let i = 0; i < 5; i++) await pub.publishAsync(`secure/${i}`, `m${i}`, { qos: 1 });
    } finally {
      await pub.endAsync();
    }
    const s = await api.until('tls', '5 written', (x) => x.written === 5 && x.pending === 0, 30_000);
    assert.equal(s.received, 5);
    assert.deepEqual(readJsonLines(out).map((l) => l.payload), ['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  test('without a certificate the broker refuses the connection: not connected, the error in last_error', { timeout: 60_000 }, async (t) => {
    const server = await startTestServer({ mqttUrl: url, mqttCaFile: join(dir, 'ca.pem') });
    t.after(() => server.cleanup());
    const api = new Api(server.url);
    await api.create({ name: 'nocert', type: 'file', topic_filter: 'secure/#', config: { local_file_path: join(server.dir, 'out.jsonl') } });
    const s = await api.until('nocert', 'the refusal in the status', (x) => x.last_error !== null, 30_000);
    assert.equal(s.source_connected, false);
    assert.match(s.last_error ?? '', /certificate required/, 'the TLS alert of the broker');
  });
});

describe('source TLS settings', () => {
  test('a certificate without its key (or the reverse) is refused, naming both variables', () => {
    assert.throws(() => readSourceTls(settingsFromEnv({ SLUICE_MQTT_CERT_FILE: '/x/client.pem' })), /SLUICE_MQTT_CERT_FILE and SLUICE_MQTT_KEY_FILE: set both/);
    assert.throws(() => readSourceTls(settingsFromEnv({ SLUICE_MQTT_KEY_FILE: '/x/client.key' })), /set both/);
  });

  test('an unreadable file names the variable and the path', () => {
    assert.throws(() => readSourceTls(settingsFromEnv({ SLUICE_MQTT_CA_FILE: '/nonexistent/ca.pem' })), /^Error: SLUICE_MQTT_CA_FILE: cannot read \/nonexistent\/ca\.pem: ENOENT/);
  });

  test('nothing set: no TLS material', () => {
    assert.deepEqual(readSourceTls(settingsFromEnv({})), { ca: undefined, cert: undefined, key: undefined });
  });
});
