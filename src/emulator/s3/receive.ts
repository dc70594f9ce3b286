/**
 * Receiving an object or part body into a temp file: the emulator's segment receiver (streamed,
 * back-pressured, deleted on any failure) plus the MD5 S3 needs for ETags, in the same pass.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../http/context.js';
import { receiveRequestBody } from '../http/storage-put.js';

export type Body = { ok: true; sha256: Buffer; md5: Buffer } | { ok: false; reason: 'cut' | 'gone' | 'error' };

export async function receiveBody(ctx: RequestContext, tempPath: string, length: number): Promise<Body> {
  const md5 = createHash('md5');
  // A second 'data' listener sees the same chunks, in order, as the receiver's.
  const onData = (chunk: Buffer) => md5.update(chunk);
  ctx.req.on('data', onData);
  try {
    const received = await receiveRequestBody(ctx, tempPath, length);
    return received.ok ? { ok: true, sha256: received.sha256, md5: md5.digest() } : received;
  } finally {
    ctx.req.off('data', onData);
  }
}
