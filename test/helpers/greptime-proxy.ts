// GreptimeDB cannot be installed here: this proxy stands in for GreptimeDB's HTTP front door
// and hands the writes to a REAL InfluxDB 1.x, which parses and stores the line protocol (and
// refuses what is invalid). What it does itself is only what GreptimeDB does at the door:
// `GET /health`, `POST /v1/influxdb/api/v2/write?db=&precision=` mapped onto `/write?db=&precision=`,
// and the `Authorization: token user:password` check (401 on a wrong or missing one). Every
// other path is a 404. The upstream's answers (204, 400 partial write, 404 database not found)
// come back unchanged; an upstream that cannot be reached is a 503.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GreptimeProxy {
  /** `127.0.0.1:<port>`, the form RobustMQ's server_addr takes */
  addr: string;
  /** writes that reached the upstream */
  writes: number;
  /** stops listening (a dead GreptimeDB: connection refused) */
  close(): Promise<void>;
  /** listens again on the same port */
  listen(): Promise<void>;
}

const PRECISION: Record<string, string> = { s: 's', ms: 'ms', us: 'u', ns: 'n' };

export async function startGreptimeProxy(o: { upstream: string; user: string; password: string; port?: number }): Promise<GreptimeProxy> {
  const expected = `token ${o.user}:${o.password}`;
  let server: Server | undefined;
  let port = o.port ?? 0;
  const proxy: GreptimeProxy = {
    addr: '',
    writes: 0,
    async close() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async listen() {
      if (server) return;
      const s = createServer((req, res) => void handle(req, res).catch((e: unknown) => answer(res, 500, { error: String(e) })));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      port = (s.address() as AddressInfo).port;
      proxy.addr = `127.0.0.1:${port}`;
      server = s;
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (req.method === 'GET' && url.pathname === '/health') {
      const up = await fetch(`${o.upstream}/ping`).then((r) => r.status === 204, () => false);
      return answer(res, up ? 200 : 503, up ? {} : { error: 'upstream down' });
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/influxdb/api/v2/write') return answer(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    if (req.headers.authorization !== expected) return answer(res, 401, { code: 7002, error: 'User not found or password mismatch' });
    const db = url.searchParams.get('db');
    if (!db) return answer(res, 400, { error: 'db is required' });
    const precision = PRECISION[url.searchParams.get('precision') ?? 'ns'];
    if (!precision) return answer(res, 400, { error: `invalid precision ${url.searchParams.get('precision')}` });
    let up: Response;
    try {
      up = await fetch(`${o.upstream}/write?${new URLSearchParams({ db, precision })}`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body });
    } catch (e) {
      return answer(res, 503, { error: `upstream: ${String(e)}` });
    }
    const text = await up.text();
    if (up.ok) proxy.writes++;
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  };

  await proxy.listen();
  return proxy;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
