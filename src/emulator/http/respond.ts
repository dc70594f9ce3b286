/**
 * Writing answers: Genesys JSON (API, login, admin) and S3 XML (storage). Every answer goes
 * through `send`, which applies the lose-response fault, adds the context's common headers,
 * counts bytes out, and drops the unread rest of the request body.
 */
import { discardRest } from './body.js';
import type { RequestContext } from './context.js';

const GENESYS_CODES: Record<number, string> = {
  400: 'bad.request',
  401: 'bad.credentials',
  403: 'missing.permissions',
  404: 'not.found',
  405: 'method.not.allowed',
  408: 'request.timeout',
  409: 'conflict',
  413: 'too.large',
  415: 'unsupported.media.type',
  416: 'range.not.satisfiable',
  429: 'too.many.requests',
  500: 'internal.server.error',
  501: 'not.implemented',
  502: 'bad.gateway',
  503: 'service.unavailable',
  504: 'gateway.timeout',
};

const S3_CODES: Record<number, string> = {
  400: 'InvalidRequest',
  403: 'AccessDenied',
  404: 'NoSuchUpload',
  408: 'RequestTimeout',
  409: 'OperationAborted',
  413: 'EntityTooLarge',
  429: 'SlowDown',
  500: 'InternalError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export function genesysCodeFor(status: number): string {
  return GENESYS_CODES[status] ?? (status >= 500 ? 'internal.server.error' : 'bad.request');
}

export function s3CodeFor(status: number): string {
  return S3_CODES[status] ?? (status >= 500 ? 'InternalError' : 'InvalidRequest');
}

export type Headers = Record<string, string | number>;

export function send(ctx: RequestContext, status: number, headers: Headers, body: Buffer | string = ''): void {
  ctx.status = status;
  const { req, res } = ctx;
  if (ctx.loseResponse) {
    req.socket.destroy();
    return;
  }
  if (res.headersSent || res.destroyed) return;
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  // 204 and 304 carry no body and, per RFC 9110, no Content-Length.
  const noBody = status === 204 || status === 304;
  res.writeHead(status, { ...ctx.headers, ...headers, ...(!noBody && { 'Content-Length': bytes.length }) });
  res.end(noBody ? undefined : bytes);
  if (!noBody) ctx.bytesOut += bytes.length;
  discardRest(req);
}

export function sendJson(ctx: RequestContext, status: number, value: unknown, headers: Headers = {}): void {
  send(ctx, status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value));
}

/** The Genesys error body (PROTOCOL.md section 0); contextId equals the ININ-Correlation-Id header. */
export function sendGenesysError(
  ctx: RequestContext,
  status: number,
  code: string,
  message: string,
  options: { details?: unknown[]; headers?: Headers; extra?: Record<string, unknown> } = {},
): void {
  sendJson(
    ctx,
    status,
    { message, code, status, contextId: ctx.correlationId, details: options.details ?? [], errors: [], ...options.extra },
    options.headers,
  );
}

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendS3Error(ctx: RequestContext, status: number, code: string, message: string, headers: Headers = {}): void {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>` +
    `<RequestId>${ctx.correlationId}</RequestId></Error>`;
  send(ctx, status, { 'Content-Type': 'application/xml', ...headers }, xml);
}
