/**
 * API keys: when configured, every /files and /api request needs `Authorization: Bearer <key>`,
 * compared in constant time (hashes of equal length, so neither content nor length leaks through
 * timing). OPTIONS is exempt: CORS preflights and tus discovery carry no credentials. The page,
 * its script, /healthz, /readyz, /metrics and /api/config (which only says what the page needs to
 * know: the size limit, the allowed types, whether a key is required) are public; put /metrics
 * behind the network.
 *
 * Keys are scoped: a job belongs to the key that created it (the job row keeps the key's SHA-256,
 * never the key), and every route that names or lists jobs shows a key only its own. Admin keys
 * (--admin-key) see and act on every job. Without any key configured the service is single-user:
 * everyone sees everything (and the Host check and the loopback default are what protect it).
 *
 * The job event stream also takes the key as `?key=`: a browser's EventSource cannot send an
 * Authorization header. Only on that route, and the logger redacts every query string.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Job } from '../jobs/job.js';
import type { JobScope } from '../jobs/job-store.js';

/** Tested against the matched route's pattern, not the raw URL, so no encoding trick slips past. */
const PROTECTED = /^\/(files|api)(\/|$)/;
const PUBLIC_ROUTES = new Set(['/api/config']);
const QUERY_KEY_ROUTES = new Set(['/api/jobs/:id/events']);

/** Who is asking: `owner` is the hex SHA-256 of the key used (undefined without keys). */
export interface Principal {
  admin: boolean;
  owner: string | undefined;
}

const OPEN: Principal = Object.freeze({ admin: true, owner: undefined });
const principals = new WeakMap<object, Principal>();

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The hex SHA-256 a job row keeps for `key`. */
export function ownerOf(key: string): string {
  return digest(key).toString('hex');
}

/** The index of the key `presented` matches, or -1; every key is compared, without stopping early. */
export function matchingKey(keyDigests: readonly Buffer[], presented: string): number {
  const candidate = digest(presented);
  let found = -1;
  keyDigests.forEach((key, index) => {
    if (timingSafeEqual(key, candidate) && found === -1) found = index;
  });
  return found;
}

export function keyMatches(keyDigests: readonly Buffer[], presented: string): boolean {
  return matchingKey(keyDigests, presented) !== -1;
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

/** The authenticated caller of `request` (everyone is an admin when no keys are configured). */
export function principalOf(request: FastifyRequest): Principal {
  return principals.get(request.raw) ?? OPEN;
}

export function scopeOf(principal: Principal): JobScope {
  return principal.admin || principal.owner === undefined ? { all: true } : { all: false, owner: principal.owner };
}

/** Whether `principal` may see and act on `job`. */
export function mayAccess(principal: Principal, job: Pick<Job, 'owner'>): boolean {
  return principal.admin || (principal.owner !== undefined && job.owner === principal.owner);
}

export function registerAuth(app: FastifyInstance, keys: { apiKeys: readonly string[]; adminKeys: readonly string[] }): void {
  const all = [...keys.apiKeys.map((key) => ({ key, admin: false })), ...keys.adminKeys.map((key) => ({ key, admin: true }))];
  if (all.length === 0) return;
  const keyDigests = all.map(({ key }) => digest(key));
  const known: Principal[] = all.map(({ key, admin }) => ({ admin, owner: ownerOf(key) }));
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (request.method === 'OPTIONS' || route === undefined || !PROTECTED.test(route) || PUBLIC_ROUTES.has(route)) return;
    const token = bearerToken(request) ?? (QUERY_KEY_ROUTES.has(route) ? queryKey(request) : undefined);
    const index = token === undefined ? -1 : matchingKey(keyDigests, token);
    if (index !== -1) {
      principals.set(request.raw, known[index]!);
      return;
    }
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="genesys-upload"')
      .send({ error: 'unauthorized', message: token === undefined ? 'Send Authorization: Bearer <API key>.' : 'The API key is not valid.' });
    return reply;
  });
}
