/**
 * Reading small request bodies (API, token, admin) with a hard bound, and discarding what is left
 * of a body we answered early. Nothing here ever holds more than the bound in memory.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from './context.js';

/** API, token and admin bodies larger than this are refused with 413 too.large. */
export const MAX_API_BODY = 1024 * 1024;

/** After an early answer, at most this much of the rest of a body is read and dropped; then the socket is closed. */
const DISCARD_CAP = 64 * 1024 * 1024;

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

export function readBody(ctx: RequestContext, limit = MAX_API_BODY): Promise<BodyResult> {
  const { req } = ctx;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyResult) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      ctx.bytesIn += chunk.length;
      if (size > limit) {
        req.pause();
        done({ ok: false, reason: 'too-large' });
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => done({ ok: true, body: Buffer.concat(chunks, size) });
    const onGone = () => done({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onGone);
    req.once('close', onGone);
  });
}

/** Drops the unread rest of a body so keep-alive works after an early answer; closes the socket past DISCARD_CAP. */
export function discardRest(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_CAP) req.socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}

export type JsonResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a body as a JSON object, whatever the Content-Type said (PROTOCOL.md section 0). */
export function parseJsonObject(body: Buffer): JsonResult {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch {
    return { ok: false, message: 'The request body is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'The request body must be a JSON object.' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
