/**
 * PUT {uploadUrl}: the media's bytes, one body, S3-style (XML errors). And GET {url}: the stored
 * bytes back, for a media that turned valid.
 *
 * PUT check order:
 *   1. an Authorization header (recorded in the state view, then 400 InvalidArgument: a
 *      pre-signed URL is the only credential, as S3 insists, and a bearer token must never be sent)
 *   2. the signature over method, path, query and the uploadHeaders' values (403
 *      SignatureDoesNotMatch), then expiry (403 AccessDenied "Request has expired")
 *   3. the media exists (404 NoSuchKey); not already sent in a message (403 AccessDenied)
 *   4. Content-Length present (411 MissingContentLength) and within the platform ceiling (413
 *      EntityTooLarge)
 *   5. the body streamed to disk with its SHA-256; cut short: 400 IncompleteBody; Content-MD5
 *      (signed when the request gave contentMd5) differs: 400 BadDigest
 *   6. stored (200, ETag = quoted hex MD5 as S3 gives), replacing any earlier bytes; the verdict —
 *      `invalid` when the size differs from contentLengthBytes, the profile no longer allows the
 *      type, the bytes' file signature contradicts the type, or a `corrupt` fault rule fired —
 *      shows in the media status once validationDelayMs has passed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from '../http/context.js';
import { send, sendS3Error } from '../http/respond.js';
import { answerBodyNotReceived, INCOMPLETE_BODY, presignedUrlAccepted, receiveRequestBody } from '../http/storage-put.js';
import type { Services } from '../services.js';
import { matchesSignature, SIGNATURE_PREFIX_BYTES } from './media-types.js';
import type { InvalidReason, MediaRecord } from './types.js';
import { mediaStatus } from './views.js';

function headerOf(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function checkUrl(ctx: RequestContext, env: Services, method: 'PUT' | 'GET'): boolean {
  const check = env.conversations.signer.verify(method, ctx.url.pathname, ctx.url.searchParams, (n) => headerOf(ctx, n), env.clock.now());
  const tampered = 'The request signature we calculated does not match the signature you provided. Check your headers: send exactly the uploadHeaders.';
  return presignedUrlAccepted(ctx, check, tampered);
}

async function fileDigests(path: string, signal: AbortSignal): Promise<{ md5: Buffer; head: Buffer }> {
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, signal })) md5.update(chunk as Buffer);
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(SIGNATURE_PREFIX_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { md5: md5.digest(), head: head.subarray(0, bytesRead) };
  } finally {
    await handle.close();
  }
}

export async function mediaPutRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const store = env.conversations;
  if (ctx.req.headers.authorization !== undefined) {
    store.uploadAuthorizationSeen = true;
    env.stats.storageAuthorizationSeen = true;
    return sendS3Error(
      ctx,
      400,
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  if (!checkUrl(ctx, env, 'PUT')) return;
  const mediaId = params.mediaId ?? '';
  const found = store.media(mediaId);
  if (!found) return sendS3Error(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
  if (found.media.messageId !== undefined) {
    return sendS3Error(ctx, 403, 'AccessDenied', 'This media was already sent in a message; its bytes can no longer change.');
  }
  const declared = ctx.req.headers['content-length'];
  if (declared === undefined || !/^\d+$/.test(declared) || ctx.req.headers['transfer-encoding'] !== undefined) {
    return sendS3Error(ctx, 411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
  }
  const length = Number(declared);
  const ceiling = env.settings().conversations.maxMediaBytes;
  if (length > ceiling) {
    return sendS3Error(ctx, 413, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${ceiling} bytes).`);
  }

  const tempPath = store.tempPath(mediaId);
  try {
    const received = await receiveRequestBody(ctx, tempPath, length);
    if (!received.ok) return answerBodyNotReceived(ctx, received.reason, 'media body', INCOMPLETE_BODY);
    const { md5, head } = await fileDigests(tempPath, env.closing);
    const givenMd5 = headerOf(ctx, 'content-md5');
    if (givenMd5 !== undefined && givenMd5 !== md5.toString('base64')) {
      return sendS3Error(ctx, 400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    const corrupt = env.faults.take('media-put', 'corrupt');
    if (corrupt) ctx.fault = 'corrupt';
    await store.lock(found.conversation.id, async () => {
      const conversation = store.get(found.conversation.id);
      const media = conversation?.media.find((m) => m.id === mediaId);
      if (!conversation || !media || media.messageId !== undefined) {
        return sendS3Error(ctx, 403, 'AccessDenied', 'This media was sent in a message while its bytes arrived.');
      }
      const invalidReason = verdict(env, media, length, head, conversation.profile.allowedTypes, corrupt !== undefined);
      await store.commitMedia(tempPath, mediaId);
      const { invalidReason: _old, ...rest } = media;
      const stored: MediaRecord = {
        ...rest,
        storedAt: env.clock.now(),
        size: length,
        sha256: received.sha256.toString('hex'),
        ...(invalidReason !== undefined && { invalidReason }),
      };
      await store.save({ ...conversation, media: conversation.media.map((m) => (m.id === mediaId ? stored : m)) });
      send(ctx, 200, { ETag: `"${md5.toString('hex')}"` });
    });
  } finally {
    await store.discardTemp(tempPath); // a no-op once committed (renamed away)
  }
}

function verdict(env: Services, media: MediaRecord, size: number, head: Buffer, allowed: string[], rejected: boolean): InvalidReason | undefined {
  if (rejected) return 'rejected';
  if (size !== media.contentLengthBytes) return 'size-mismatch';
  if (!allowed.includes(media.mediaType)) return 'type-not-allowed';
  if (env.settings().conversations.checkFileSignatures && !matchesSignature(media.mediaType, head)) return 'type-mismatch';
  return undefined;
}

export async function mediaContentRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  if (!checkUrl(ctx, env, 'GET')) return;
  const found = env.conversations.media(params.mediaId ?? '');
  if (!found || mediaStatus(env, found.media) !== 'valid') return sendS3Error(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
  const path = env.conversations.mediaPath(found.media.id);
  const { size } = await stat(path);
  ctx.status = 200;
  if (ctx.loseResponse) {
    ctx.req.socket.destroy();
    return;
  }
  ctx.res.writeHead(200, { ...ctx.headers, 'Content-Type': found.media.mediaType, 'Content-Length': size, ETag: `"${found.media.sha256 ?? ''}"` });
  const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
  source.on('data', (chunk) => (ctx.bytesOut += chunk.length));
  await pipeline(source, ctx.res).catch(() => undefined); // a client that leaves mid-download is no error of ours
}
