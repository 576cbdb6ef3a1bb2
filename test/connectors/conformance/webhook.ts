// The webhook's target: a real HTTP endpoint in this process that wants basic auth, keeps the
// records of every request it answered 2xx, and refuses (422) a request holding a record whose
// payload is POISON — as an endpoint validating records would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConformanceFixture } from './fixture.js';

const USER = 'conformance';
const PASSWORD = 'hook-pw-1';
const POISON = 'POISON';

export const fixture: ConformanceFixture = {
  async start() {
    const ids: string[] = [];
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const make = (): Server => createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers.authorization !== expected) return void res.writeHead(401).end('bad credentials');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; payload: string }[];
        if (body.some((r) => r.payload === POISON)) return void res.writeHead(422).end('a record is refused');
        ids.push(...body.map((r) => r.id));
        res.writeHead(204).end();
      });
    });
    let server = make();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/ingest`;
    const stop = (): Promise<void> => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
    const config = { url, auth_type: 'basic', username: USER, password: PASSWORD, timeout_ms: 2000 };
    return {
      config,
      wrongCredentials: { config: { ...config, password: 'not-the-password' }, means: 'a wrong basic-auth password (HTTP 401)' },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { payload: Buffer.from(POISON), means: 'the endpoint answers 422 to a request holding it' },
      readIds: async () => [...ids],
      kill: stop,
      async start() {
        server = make();
        await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
      },
      close: stop,
    };
  },
};
