// The MQTT bridge's target: the harness's real Mosquitto with a password file and a Maximum
// Packet Size it announces to MQTT 5 clients (a larger record is refused on its own); the record
// id is the MQTT 5 user property sluice_id, read back by a subscriber on the target.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { startService } from '../../harness/services.js';
import { firstExisting } from '../../harness/services/common.js';
import type { ConformanceFixture } from './fixture.js';

const USER = 'bridge';
const PASSWORD = 'mqtt-pw-1';
const MAX_PACKET_BYTES = 8192;

export const fixture: ConformanceFixture = {
  async start() {
    const passwd = await firstExisting(['/usr/bin/mosquitto_passwd', '/usr/sbin/mosquitto_passwd', '/usr/local/bin/mosquitto_passwd']);
    if (!passwd) throw new Error('mosquitto_passwd not found (it comes with the mosquitto package)');
    const dir = await mkdtemp(join(tmpdir(), 'sluice-conformance-mqtt-'));
    await writeFile(join(dir, 'pw'), '');
    execFileSync(passwd, ['-b', join(dir, 'pw'), USER, PASSWORD]);
    const svc = await startService('mosquitto', { extraConfig: ['allow_anonymous false', `password_file ${join(dir, 'pw')}`, `max_packet_size ${MAX_PACKET_BYTES}`] });
    const url = svc.env.SLUICE_TEST_MQTT_URL as string;
    const ids: string[] = [];
    const subscribe = async (): Promise<MqttClient> => {
      const c = await mqtt.connectAsync(url, { clientId: `conformance-reader-${Date.now()}`, protocolVersion: 5, username: USER, password: PASSWORD, reconnectPeriod: 0 });
      c.on('message', (_topic, _payload, packet) => {
        const id = packet.properties?.userProperties?.sluice_id;
        if (id !== undefined) ids.push(String(Array.isArray(id) ? id[0] : id));
      });
      await c.subscribeAsync('conformance/#', { qos: 1 });
      return c;
    };
    let reader = await subscribe();
    const config = { server: url, username: USER, password: PASSWORD, protocol_version: 'v5', qos: 1, topic_prefix: 'conformance/', client_id_prefix: 'conformance_', connect_timeout_secs: 3 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (CONNACK Bad user name or password)' },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { payload: Buffer.alloc(2 * MAX_PACKET_BYTES, 'x'), means: `a message larger than the Maximum Packet Size the target announces (${MAX_PACKET_BYTES} bytes)` },
      readIds: async () => [...ids],
      async kill() {
        await svc.kill();
        await reader.endAsync(true).catch(() => undefined);
      },
      async start() {
        await svc.start();
        reader = await subscribe();
      },
      async close() {
        await reader.endAsync(true).catch(() => undefined);
        await svc.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};
