// Optional bearer token guarding every route but /health and the API reference page (/docs).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SluiceError } from '../errors.js';
import { sendError } from './error-handler.js';

// '/' and /console/: the web console's files (the page asks for the token itself; they hold no data)
const OPEN_ROUTES = new Set(['/health', '/']);
// the API reference page and the document it shows: the API's description, no data
const OPEN_PREFIX = '/docs';

function isOpen(path: string): boolean {
  return OPEN_ROUTES.has(path) || path === OPEN_PREFIX || path.startsWith(`${OPEN_PREFIX}/`) || path.startsWith('/console/');
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function installBearerAuth(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  app.addHook('onRequest', async (req, reply) => {
    if (isOpen(req.url.split('?')[0] ?? '')) return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m || !sameToken(m[1] ?? '', token)) {
      await sendError(reply, new SluiceError('UNAUTHORIZED', m ? 'bearer token is not valid' : 'missing Authorization: Bearer <token> header'));
    }
  });
}
