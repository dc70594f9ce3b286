/**
 * API keys: when configured, every /files and /api request needs `Authorization: Bearer <key>`,
 * compared in constant time (hashes of equal length, so neither content nor length leaks through
 * timing). OPTIONS is exempt: CORS preflights and tus discovery carry no credentials. The page,
 * its script, /healthz, /readyz, /metrics and /api/config (which only says what the page needs to
 * know: the size limit, the allowed types, whether a key is required) are public; put /metrics
 * behind the network.
 *
 * The job event stream also takes the key as `?key=`: a browser's EventSource cannot send an
 * Authorization header. Only on that route, and the logger redacts every query string.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Tested against the matched route's pattern, not the raw URL, so no encoding trick slips past. */
const PROTECTED = /^\/(files|api)(\/|$)/;
const PUBLIC_ROUTES = new Set(['/api/config']);
const QUERY_KEY_ROUTES = new Set(['/api/jobs/:id/events']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function keyMatches(keyDigests: readonly Buffer[], presented: string): boolean {
  const candidate = digest(presented);
  let match = false;
  // Compare against every key, without stopping early.
  for (const key of keyDigests) match = timingSafeEqual(key, candidate) || match;
  return match;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const value = request.headers.authorization;
  const match = typeof value === 'string' ? /^Bearer +(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}

function queryKey(request: FastifyRequest): string | undefined {
  const key = (request.query as Record<string, unknown> | undefined)?.key;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

export function registerAuth(app: FastifyInstance, apiKeys: readonly string[]): void {
  if (apiKeys.length === 0) return;
  const keyDigests = apiKeys.map(digest);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (request.method === 'OPTIONS' || route === undefined || !PROTECTED.test(route) || PUBLIC_ROUTES.has(route)) return;
    const token = bearerToken(request) ?? (QUERY_KEY_ROUTES.has(route) ? queryKey(request) : undefined);
    if (token !== undefined && keyMatches(keyDigests, token)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="genesys-upload"')
      .send({ error: 'unauthorized', message: token === undefined ? 'Send Authorization: Bearer <API key>.' : 'The API key is not valid.' });
    return reply;
  });
}
