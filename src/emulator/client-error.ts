/**
 * Requests Node's HTTP parser refuses (malformed request line or headers, oversized headers) never
 * reach the router; answer them in the Genesys error shape rather than with a bare status line.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { activeRequest } from './http/active-requests.js';

export function handleClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A segment (or media) body cut short by a half-close: its handler answers 400 IncompleteBody itself.
  const ctx = activeRequest(socket);
  if (ctx && (ctx.route === 'segment' || ctx.route === 'media-put') && !ctx.req.complete && !ctx.res.headersSent && socket.writable) {
    ctx.bodyCut.abort();
    return;
  }
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const contextId = randomUUID();
  const body = JSON.stringify({
    message: tooLarge ? 'The request headers are too large.' : 'The request is not valid HTTP/1.1.',
    code: 'bad.request',
    status,
    contextId,
    details: [],
    errors: [],
  });
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `ININ-Correlation-Id: ${contextId}\r\nConnection: close\r\n\r\n${body}`,
  );
}
