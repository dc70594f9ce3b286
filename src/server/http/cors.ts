/**
 * CORS for every route, configured by --cors-origin (none: same-origin only; `*`: any). Answers
 * preflights itself (before authentication: browsers send them without credentials), and exposes
 * the tus headers a browser client must read. The tus responses' own CORS headers are dropped in
 * tus-routes.ts so there is one policy.
 */
import type { FastifyInstance } from 'fastify';

export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Tus-Resumable',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Offset',
  'Upload-Checksum',
  'Upload-Defer-Length',
  'Upload-Concat',
  'X-HTTP-Method-Override',
  'X-Requested-With',
  'X-Request-ID',
  'Last-Event-ID',
  'Cache-Control',
];

export const CORS_EXPOSED_HEADERS = [
  'Location',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Expires',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'Genesys-Upload-Part-Size',
];

const METHODS = 'GET, HEAD, POST, PATCH, DELETE, OPTIONS';

export function allowedOrigin(origins: readonly string[], origin: string | undefined): string | undefined {
  if (origin === undefined || origins.length === 0) return undefined;
  if (origins.includes('*')) return '*';
  return origins.includes(origin) ? origin : undefined;
}

export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    const allowed = allowedOrigin(origins, origin);
    if (origins.length > 0 && !origins.includes('*')) reply.header('vary', 'Origin');
    if (allowed === undefined) return;
    reply.header('access-control-allow-origin', allowed);
    reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS.join(', '));
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (preflight) {
      reply
        .code(204)
        .header('access-control-allow-methods', METHODS)
        .header('access-control-allow-headers', CORS_ALLOWED_HEADERS.join(', '))
        .header('access-control-max-age', '86400')
        .send();
    }
  });
}
