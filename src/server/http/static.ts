/**
 * The web page: the directory src/web/ at `/` (index.html for `/`), and tus-js-client's browser
 * bundle at /vendor/tus.min.js. Paths resolve relative to this module, so the same code works from
 * src/server/http/ (tsx) and dist/server/http/ (built): both are three levels below the root.
 * Only regular files strictly inside the web root are served; no dotfiles, no directory listings.
 *
 * Every file goes out with a strict Content-Security-Policy: scripts, styles and connections from
 * this origin only (the page has no inline script or style, and talks only to its own service),
 * no plugins, no <base>, and `frame-ancestors 'none'` so that no other site can frame the page
 * and trick a user into clicking it (configurable with --frame-ancestors to embed it in a portal).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const WEB_ROOT = fileURLToPath(new URL('../../../src/web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

function tusBundlePath(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js');
  } catch {
    return undefined;
  }
}

/** The file under `root` that `relative` names, or undefined when it would leave the root or is hidden. */
export function resolveInside(root: string, relative: string): string | undefined {
  if (relative.includes('\0')) return undefined;
  const cleaned = normalize(relative).replace(/^([/\\])+/, '');
  if (cleaned.split(/[/\\]/).some((part) => part === '..' || part.startsWith('.'))) return undefined;
  const absolute = resolve(root, cleaned);
  return absolute.startsWith(root.endsWith(sep) ? root : root + sep) ? absolute : undefined;
}

/** The page's Content-Security-Policy, with `frameAncestors` ('none', 'self' or origins). */
export function contentSecurityPolicy(frameAncestors: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

async function sendFile(reply: FastifyReply, path: string | undefined, securityHeaders: Record<string, string>): Promise<FastifyReply> {
  const info = path === undefined ? undefined : await stat(path).catch(() => undefined);
  if (path === undefined || info === undefined || !info.isFile()) {
    return reply.code(404).send({ error: 'not_found', message: 'No such page.' });
  }
  return reply
    .header('content-type', TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream')
    .header('content-length', String(info.size))
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .headers(securityHeaders)
    .send(createReadStream(path));
}

export function registerStatic(app: FastifyInstance, options: { frameAncestors: string; webRoot?: string }): void {
  const root = resolve(options.webRoot ?? WEB_ROOT);
  const bundle = tusBundlePath();
  const security: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(options.frameAncestors),
    'referrer-policy': 'no-referrer',
    // For browsers without CSP frame-ancestors; only expressible for 'none' and 'self'.
    ...(options.frameAncestors === "'none'" && { 'x-frame-options': 'DENY' }),
    ...(options.frameAncestors === "'self'" && { 'x-frame-options': 'SAMEORIGIN' }),
  };
  app.get('/vendor/tus.min.js', (_request, reply) => sendFile(reply, bundle, security));
  app.get('/', (_request, reply) => sendFile(reply, resolveInside(root, 'index.html'), security));
  app.get('/*', (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    const path = resolveInside(root, relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative);
    return sendFile(reply, path, security);
  });
}
