/**
 * Requests Node's HTTP parser refuses (malformed request line or headers, oversized headers) never
 * reach the router; answer them in the surface's own error shape rather than with a bare status
 * line. The REST port answers in the Genesys shape, the S3 port in S3's XML; the rest is shared.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { activeRequest } from './http/active-requests.js';
import type { RequestContext } from './http/context.js';

/** How one surface words a refused request: its body, content type and request-id header. */
export interface ClientErrorShape {
  contentType: string;
  idHeader: string;
  body(tooLarge: boolean, id: string): string;
}

export type ClientErrorHandler = (error: Error & { code?: string }, socket: Duplex) => void;

/** `bodyRoutes`: routes whose handler answers a body cut short by a half-close (400 IncompleteBody) itself. */
export function clientErrorHandler(bodyRoutes: readonly RequestContext['route'][], shape: ClientErrorShape): ClientErrorHandler {
  return (error, socket) => {
    const ctx = activeRequest(socket);
    if (ctx && bodyRoutes.includes(ctx.route) && !ctx.req.complete && !ctx.res.headersSent && socket.writable) {
      ctx.bodyCut.abort();
      return;
    }
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const id = randomUUID();
    const body = shape.body(tooLarge, id);
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: ${shape.contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `${shape.idHeader}: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}

export const handleClientError = clientErrorHandler(['segment', 'media-put'], {
  contentType: 'application/json; charset=utf-8',
  idHeader: 'ININ-Correlation-Id',
  body: (tooLarge, contextId) =>
    JSON.stringify({
      message: tooLarge ? 'The request headers are too large.' : 'The request is not valid HTTP/1.1.',
      code: 'bad.request',
      status: tooLarge ? 431 : 400,
      contextId,
      details: [],
      errors: [],
    }),
});
