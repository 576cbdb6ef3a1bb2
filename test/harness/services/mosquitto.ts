// Mosquitto 2.0 (Debian package) on a free loopback port, persistent sessions.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defineService, ensureInstalled, firstExisting, freePort, makeTempDir, managed, spawnServer, tcpAccepts, waitUntil,
  type RunningService, type StartOptions,
} from './common.js';

const locate = (): Promise<string | undefined> =>
  firstExisting(['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']);

export async function startMosquitto(opts: StartOptions = {}): Promise<RunningService> {
  const bin = await ensureInstalled('mosquitto', locate);
  const port = opts.port ?? (await freePort());
  const dir = await makeTempDir('mosquitto');
  const conf = join(dir, 'mosquitto.conf');
  const lines = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'set_tcp_nodelay true',
    'max_queued_messages 100000', // default 1000 silently drops under load
    'max_inflight_messages 1000',
    'persistence true', // a restart keeps sessions and queued QoS>0 messages
    `persistence_location ${dir}/`,
    'log_dest stdout',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
  ];
  if (process.getuid?.() === 0) lines.push('user root'); // else it drops to "mosquitto", who cannot write the dir
  lines.push(...(opts.extraConfig ?? []));
  await writeFile(conf, `${lines.join('\n')}\n`);
  const logFile = join(dir, 'mosquitto.log');

  const launch = async () => {
    const proc = spawnServer(bin, ['-c', conf], logFile);
    await waitUntil(`mosquitto on 127.0.0.1:${port}`, proc, () => tcpAccepts(port), { timeoutMs: 20_000, intervalMs: 50 });
    return proc;
  };
  return managed('mosquitto', dir, {
    SLUICE_TEST_MQTT_URL: `mqtt://127.0.0.1:${port}`,
    SLUICE_TEST_MQTT_HOST: '127.0.0.1',
    SLUICE_TEST_MQTT_PORT: String(port),
  }, launch);
}

export const service = defineService('mosquitto', startMosquitto);
