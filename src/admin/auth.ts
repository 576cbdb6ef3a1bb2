// Optional bearer token guarding every route but /health.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SluiceError } from '../errors.js';
import { sendError } from './error-handler.js';

const OPEN_ROUTES = new Set(['/health']);

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function installBearerAuth(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  app.addHook('onRequest', async (req, reply) => {
    if (OPEN_ROUTES.has(req.url.split('?')[0] ?? '')) return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m || !sameToken(m[1] ?? '', token)) {
      await sendError(reply, new SluiceError('UNAUTHORIZED', m ? 'bearer token is not valid' : 'missing Authorization: Bearer <token> header'));
    }
  });
}
