// Test helper: runs the real `sluice` CLI as a child process (bin/sluice.js, through tsx), and a
// tiny canned HTTP server that records what the CLI sent, for routes the real server lacks yet.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'sluice.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/sluice.js ...args`. SLUICE_URL/SLUICE_TOKEN of the test process are not passed
 * on; `env` adds variables. stdin is a pipe (never a TTY), closed at once unless `input` is given.
 */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.SLUICE_URL;
  delete env.SLUICE_TOKEN;
  Object.assign(env, opts.env ?? {});
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface RecordedRequest {
  method: string;
  /** path and query string as sent */
  url: string;
  headers: IncomingMessage['headers'];
  /** raw body text ('' when none) */
  body: string;
}

export interface CannedAnswer {
  status?: number;
  /** JSON-encoded unless `raw` */
  body?: unknown;
  raw?: string;
}

export interface CannedServer {
  url: string;
  requests: RecordedRequest[];
  /** what the next requests get; the last one stays for every later request */
  answer(...answers: CannedAnswer[]): void;
  close(): Promise<void>;
}

export async function startCannedServer(): Promise<CannedServer> {
  let answers: CannedAnswer[] = [{ status: 200, body: {} }];
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const a = (answers.length > 1 ? answers.shift() : answers[0]) ?? {};
      const text = a.raw ?? (a.body === undefined ? '' : JSON.stringify(a.body));
      res.writeHead(a.status ?? 200, a.raw === undefined && text !== '' ? { 'content-type': 'application/json' } : { 'content-type': 'text/html' });
      res.end(text);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(...next) {
      answers = next.length > 0 ? next : [{ status: 200, body: {} }];
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
