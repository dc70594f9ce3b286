/**
 * Between fastify and @tus/server's web API, for the tus routes (tus-routes.ts): a fastify request
 * as the web Request @tus/server takes, and our refusals as tus answers sent through fastify. Kept
 * apart from the routing, which decides what to answer; this only translates.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RetryLater } from './intake-limits.js';
import type { IntakeRefusal } from './metadata.js';
import { TUS_VERSION, type Refusal } from './preflight.js';
import { TUS_PATH } from './tus-intake.js';

export const CHECKSUM_MISMATCH = 460;

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The fastify request as a web Request for @tus/server, with `body` and header overrides. */
export function webRequest(request: FastifyRequest, body: Readable | undefined, overrides: Record<string, string> = {}): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  for (const [name, value] of Object.entries(overrides)) headers.set(name, value);
  // @tus/server finds the upload id in the URL's last path segment: hand it the id fastify routed
  // (and we validated, authorised and log), never the raw URL, whose query string could name
  // another upload (`/files/A?x=/B`). Locations are relative, so the host does not matter.
  const id = (request.params as { id?: string }).id;
  const url = `http://localhost${TUS_PATH}/${id ?? ''}`;
  const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers };
  if (body !== undefined) {
    init.body = Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(url, init);
}

export function refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
  // Node knows no reason phrase for tus' own status.
  if (refusal.status === CHECKSUM_MISMATCH) reply.raw.statusMessage = 'Checksum Mismatch';
  return reply
    .code(refusal.status)
    .headers({ 'tus-resumable': TUS_VERSION, 'content-type': 'text/plain; charset=utf-8', ...refusal.headers })
    .send(refusal.body);
}

/** Refusals thrown by our checks (IntakeRefusal, RetryLater) as tus answers. */
export function refusalOf(error: IntakeRefusal): Refusal {
  const headers: Record<string, string> = {};
  if (error instanceof RetryLater) headers['retry-after'] = String(error.retryAfterSeconds);
  else if (error.status_code === 503) headers['retry-after'] = '5';
  return { status: error.status_code, body: error.body, headers };
}
