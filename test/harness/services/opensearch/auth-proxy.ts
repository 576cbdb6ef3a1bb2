// The authenticating front of the test OpenSearch node (which runs without its security plugin):
// a Node HTTP proxy on its own loopback port that lets a request through only with the expected
// `Authorization: Basic …` or `Authorization: ApiKey …`, answers 401 as Elasticsearch does
// otherwise, and 502 when the node does not answer (killed, starting), as a gateway would.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AuthProxyOptions {
  upstreamPort: number;
  username: string;
  password: string;
  apiKey: string;
}

export interface AuthProxy {
  port: number;
  /** requests refused for their credentials, for tests that check the sink sent the right ones */
  refused(): number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startAuthProxy(o: AuthProxyOptions): Promise<AuthProxy> {
  const allowed = new Set([`Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`, `ApiKey ${o.apiKey}`]);
  let refused = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!allowed.has(req.headers.authorization ?? '')) {
      refused++;
      req.resume();
      const reason = req.headers.authorization === undefined ? 'missing authentication credentials for REST request' : 'unable to authenticate user for REST request';
      send(res, 401, { error: { type: 'security_exception', reason }, status: 401 }, { 'www-authenticate': 'Basic realm="security" charset="UTF-8", ApiKey' });
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    const up = request({ host: '127.0.0.1', port: o.upstreamPort, method: req.method, path: req.url, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', (e) => {
      if (res.headersSent) res.destroy();
      else send(res, 502, { error: { type: 'bad_gateway', reason: `the node does not answer: ${e.message}` }, status: 502 });
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  return {
    port: (server.address() as AddressInfo).port,
    refused: () => refused,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
