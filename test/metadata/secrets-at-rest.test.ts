// Encryption at rest of secret fields (SLUICE_SECRET_KEY, AES-256-GCM) and key rotation
// (SLUICE_SECRET_KEY_PREVIOUS), with the real `sluice serve` and its SQLite file; and the
// sealing functions on their own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { openValue, sealValue, secretKeysFromEnv, SecretSealer } from '../../src/metadata/secrets-at-rest.js';
import { runCli } from '../helpers/cli.js';
import { sleep } from '../helpers/runtime.js';
import { startSluiceProcess } from '../helpers/sluice-process.js';
import { freePort, tempDir } from '../helpers/server.js';

const SECRET = 'bearer-SECRET-at-rest-42';
const key = () => randomBytes(32).toString('base64');

function rawToken(db: string): string {
  const d = new Database(db, { readonly: true });
  try {
    const row = d.prepare("SELECT config FROM connectors WHERE name = 'sealed'").get() as { config: string };
    return (JSON.parse(row.config) as { bearer_token: string }).bearer_token;
  } finally {
    d.close();
  }
}

describe('sealing', () => {
  test('round trip; a changed byte or another key is refused with the field named', () => {
    const keys = secretKeysFromEnv({ SLUICE_SECRET_KEY: key() });
    const k = keys.current;
    assert.ok(k);
    const sealed = sealValue('hello', k);
    assert.match(sealed, new RegExp(`^sluice:enc:v1:${k.id}:`));
    assert.notEqual(sealValue('hello', k), sealed, 'a fresh IV every time');
    assert.equal(openValue(sealed, keys, 'x'), 'hello');
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.throws(() => openValue(tampered, keys, 'connector d/c config.password'), /connector d\/c config\.password: the stored value does not decrypt with key/);
    const other = secretKeysFromEnv({ SLUICE_SECRET_KEY: key() });
    assert.throws(() => openValue(sealed, other, 'w'), new RegExp(`w is encrypted with key ${k.id}, but SLUICE_SECRET_KEY is ${other.current?.id}`));
    assert.throws(() => openValue(sealed, {}, 'w'), /and SLUICE_SECRET_KEY is not set/);
  });

  test('only secret fields are sealed; bad keys name the variable and the rule', () => {
    const sealer = new SecretSealer(secretKeysFromEnv({ SLUICE_SECRET_KEY: 'ab'.repeat(32) }));
    const stored = sealer.seal('webhook', { url: 'https://x', auth_type: 'bearer', bearer_token: 't', password: '' });
    assert.equal(stored.url, 'https://x');
    assert.match(String(stored.bearer_token), /^sluice:enc:v1:/);
    assert.equal(stored.password, '');
    assert.deepEqual(sealer.open('webhook', stored, 'w'), { url: 'https://x', auth_type: 'bearer', bearer_token: 't', password: '' });
    assert.throws(() => secretKeysFromEnv({ SLUICE_SECRET_KEY: 'short' }), /^Error: SLUICE_SECRET_KEY: expected a 256-bit key as 64 hex digits or 44 base64 characters/);
    assert.throws(() => secretKeysFromEnv({ SLUICE_SECRET_KEY_PREVIOUS: key() }), /SLUICE_SECRET_KEY_PREVIOUS is set without SLUICE_SECRET_KEY/);
  });
});

test('serve: secrets sealed in SLUICE_DB, clear for the sink; a wrong or missing key refuses to start; rotation re-seals', async () => {
  const dir = tempDir();
  const db = join(dir, 'data', 'sluice.db');
  const k1 = key();
  const k2 = key();
  const id = (k: string) => secretKeysFromEnv({ SLUICE_SECRET_KEY: k }).current?.id ?? '';
  const auth: string[] = [];
  const hook = createServer((req, res) => {
    auth.push(req.headers.authorization ?? '');
    req.resume().on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const address = hook.address();
  const hookPort = typeof address === 'object' && address ? address.port : 0;
  const brokerPort = await freePort();
  const env = (extra: Record<string, string>) => ({ SLUICE_DB: db, SLUICE_EMBEDDED_BROKER_PORT: String(brokerPort), ...extra });
  try {
    // plain at first: the value is stored as given
    let sluice = await startSluiceProcess(env({}));
    const create = await fetch(`${sluice.url}/api/v1/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sealed', type: 'webhook', topic_filter: 'sealed/#', config: { url: `http://127.0.0.1:${hookPort}/h`, auth_type: 'bearer', bearer_token: SECRET } }),
    });
    assert.equal(create.status, 201);
    await sluice.kill('SIGTERM');
    assert.equal(rawToken(db), SECRET);

    // a key set: the stored plain value is sealed at start; the sink still gets it in clear
    sluice = await startSluiceProcess(env({ SLUICE_SECRET_KEY: k1, SLUICE_LOG_LEVEL: 'info' }));
    assert.match(rawToken(db), new RegExp(`^sluice:enc:v1:${id(k1)}:`));
    assert.ok(!rawToken(db).includes(SECRET));
    assert.match(sluice.output(), /"secrets_at_rest":"aes-256-gcm key [0-9a-f]{8}","secrets_resealed":1/);
    const view = (await (await fetch(`${sluice.url}/api/v1/connectors/sealed`)).json()) as { config: { bearer_token: string } };
    assert.equal(view.config.bearer_token, '******');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { protocolVersion: 4 });
    await client.publishAsync('sealed/1', '{"n":1}', { qos: 1 });
    await client.endAsync();
    const deadline = Date.now() + 20_000;
    while (auth.length === 0 && Date.now() < deadline) await sleep(100);
    assert.equal(auth[0], `Bearer ${SECRET}`);
    await sluice.kill('SIGTERM');

    const none = await runCli(['serve', '--port', '0'], { env: env({}) });
    assert.equal(none.code, 1);
    assert.equal(none.stderr, `error: connector default/sealed config.bearer_token is encrypted with key ${id(k1)}, and SLUICE_SECRET_KEY is not set; start with that key in SLUICE_SECRET_KEY (or in SLUICE_SECRET_KEY_PREVIOUS while rotating)\n`);
    const wrong = await runCli(['serve', '--port', '0'], { env: env({ SLUICE_SECRET_KEY: k2 }) });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`is encrypted with key ${id(k1)}, but SLUICE_SECRET_KEY is ${id(k2)};`));
    assert.ok(!`${none.stderr}${wrong.stderr}`.includes(SECRET));

    // rotation: new key + previous key → everything re-sealed with the new one
    sluice = await startSluiceProcess(env({ SLUICE_SECRET_KEY: k2, SLUICE_SECRET_KEY_PREVIOUS: k1 }));
    await sluice.kill('SIGTERM');
    assert.match(rawToken(db), new RegExp(`^sluice:enc:v1:${id(k2)}:`));
    sluice = await startSluiceProcess(env({ SLUICE_SECRET_KEY: k2 }));
    const again = (await (await fetch(`${sluice.url}/api/v1/connectors/sealed`)).json()) as { revision: number };
    assert.equal(again.revision, 1, 're-sealing does not count as a change');
    await sluice.kill('SIGTERM');
  } finally {
    hook.close();
  }
});
