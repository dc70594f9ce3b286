/**
 * Which request each socket is serving right now, so a parser error on that socket (a body cut
 * short by a half-close) can be handed to the request's handler instead of killing the socket.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RequestContext } from './context.js';

const active = new WeakMap<Socket | Duplex, RequestContext>();

export function trackRequest(ctx: RequestContext): void {
  const socket = ctx.req.socket;
  active.set(socket, ctx);
  ctx.res.once('close', () => {
    if (active.get(socket) === ctx) active.delete(socket);
  });
}

export function activeRequest(socket: Duplex): RequestContext | undefined {
  return active.get(socket);
}
