// Serves the web console (console/ in the package: plain ES modules, no build step) at `/`,
// and the two small libraries it uses (Preact, htm) from node_modules at /console/vendor/.
// The files are public — the page asks for the API token itself — and hold no data.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { SluiceError } from '../errors.js';

export const CONSOLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// the vendored modules import each other by bare name; the browser has no resolver, so those
// imports are pointed at the sibling file when the module is read
const VENDOR: Record<string, { spec: string; bare?: [RegExp, string] }> = {
  'preact.mjs': { spec: 'preact' },
  'hooks.mjs': { spec: 'preact/hooks', bare: [/from\s*"preact"/g, 'from"./preact.mjs"'] },
  'htm.mjs': { spec: 'htm' },
};

const SECURITY_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

interface Asset {
  type: string;
  body: Buffer;
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}

/** Every asset by its URL path, read once at start (the console is a few tens of kB). */
export function consoleAssets(dir = CONSOLE_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of listFiles(dir)) {
    const type = TYPES[extname(file)];
    if (!type) continue;
    assets.set(`/console/${relative(dir, file).split('\\').join('/')}`, { type, body: readFileSync(file) });
  }
  for (const [name, v] of Object.entries(VENDOR)) {
    let text = readFileSync(fileURLToPath(import.meta.resolve(v.spec)), 'utf8');
    if (v.bare) text = text.replace(v.bare[0], v.bare[1]);
    assets.set(`/console/vendor/${name}`, { type: TYPES['.mjs'] as string, body: Buffer.from(text) });
  }
  const index = assets.get('/console/index.html');
  if (index) assets.set('/', index);
  return assets;
}

export function consoleRoutes(app: FastifyInstance): void {
  const assets = consoleAssets();
  const send = (path: string) => {
    const a = assets.get(path);
    if (!a) throw new SluiceError('NOT_FOUND', `no console file ${path}`);
    return a;
  };
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    const a = send('/');
    return reply.headers(SECURITY_HEADERS).type(a.type).send(a.body);
  });
  app.get('/console/*', { schema: { hide: true } }, async (req, reply) => {
    const a = send(req.url.split('?')[0] ?? '');
    return reply.headers(SECURITY_HEADERS).type(a.type).send(a.body);
  });
}
