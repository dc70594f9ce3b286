/**
 * What the emulator's S3-style storage PUTs (upload segments, conversation media, Web Messaging
 * attachments, the S3 endpoint's objects and parts) share: answering a refused pre-signed URL, and
 * streaming the body to a temp file with its SHA-256 while counting bytes in.
 */
import type { PresignedCheck } from '../presigned.js';
import { receiveToTemp, type Received } from '../store/segment-receiver.js';
import type { RequestContext } from './context.js';
import { sendS3Error } from './respond.js';

/** S3's words for a body shorter than its Content-Length. */
export const INCOMPLETE_BODY = 'You did not provide the number of bytes specified by the Content-Length HTTP header.';

/** Answers a tampered (403 SignatureDoesNotMatch) or expired (403 AccessDenied) URL; true when it is fine. */
export function presignedUrlAccepted(ctx: RequestContext, check: PresignedCheck, tamperedMessage: string): boolean {
  if (check === 'tampered') {
    sendS3Error(ctx, 403, 'SignatureDoesNotMatch', tamperedMessage);
    return false;
  }
  if (check === 'expired') {
    sendS3Error(ctx, 403, 'AccessDenied', 'Request has expired');
    return false;
  }
  return true;
}

/** The request's body into `tempPath` (deleted on any failure), stopping when the client leaves or half-closes. */
export function receiveRequestBody(ctx: RequestContext, tempPath: string, length: number): Promise<Received> {
  const signals = { gone: ctx.signal, cut: ctx.bodyCut.signal };
  return receiveToTemp(ctx.req, tempPath, length, signals, (n) => (ctx.bytesIn += n));
}

/**
 * A body that did not arrive: a storage failure throws (a 500 from the router); a body cut short
 * by a half-close is answered 400 IncompleteBody, then the connection closes (nothing more can
 * arrive on it), if anyone is still listening; a client that left gets nothing.
 */
export function answerBodyNotReceived(ctx: RequestContext, reason: 'cut' | 'gone' | 'error', what: string, incompleteMessage: string): void {
  if (reason === 'error') throw new Error(`storing the ${what} failed`);
  if (reason === 'cut' && ctx.res.writable && !ctx.req.socket.destroyed) {
    sendS3Error(ctx, 400, 'IncompleteBody', incompleteMessage, { Connection: 'close' });
  }
}
