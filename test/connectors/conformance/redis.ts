// The Redis target: the harness's real single server with a password; each record's id is pushed
// onto the list its JSON payload names (`RPUSH conformance:${payload.list} ${id}`), and a string
// key `conformance:text` is seeded, so a record naming that list is poison (WRONGTYPE).
import { Redis } from 'ioredis';
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

const PASSWORD = 'redis-pw-1';

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('redis', { extraConfig: [`requirepass ${PASSWORD}`] });
    const server = svc.env.SLUICE_TEST_REDIS_SERVER as string;
    const [host, port] = server.split(':') as [string, string];
    const reader = new Redis({ host, port: Number(port), password: PASSWORD, lazyConnect: true, maxRetriesPerRequest: 1 });
    reader.on('error', () => undefined);
    await reader.connect();
    await reader.set('conformance:text', 'a string, not a list');
    const config = { server, password: PASSWORD, command_template: 'RPUSH conformance:${payload.list} ${id}', connect_timeout_ms: 3000 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong password (WRONGPASS)' },
      payload: () => Buffer.from('{"list":"records"}'),
      poison: { payload: Buffer.from('{"list":"text"}'), means: 'RPUSH onto a key holding a string (WRONGTYPE)' },
      readIds: () => reader.lrange('conformance:records', 0, -1),
      kill: () => svc.kill(),
      start: () => svc.start(),
      async close() {
        reader.disconnect();
        await svc.stop();
      },
    };
  },
};
