/**
 * PUT {presignedUrl}: store one segment (PROTOCOL.md section 3). S3-style XML errors.
 *
 * Check order, cheapest and most "who are you" first, the body last:
 *   1. URL signature over path and query (403 SignatureDoesNotMatch), then expiry (403 AccessDenied)
 *   2. upload exists and is open (404 NoSuchUpload)
 *   3. Content-Type equals the declared type (403 SignatureDoesNotMatch: it is a signed header)
 *   4. per-upload storage rate limit (429 SlowDown)
 *   5. Content-Range syntax (400 InvalidRange); total differs or segment longer than chunkSize
 *      (413 EntityTooLarge); start not on a chunk boundary or not the segment's exact length
 *      (400 InvalidRange); Content-Length missing or different (400 InvalidRange)
 *   6. x-amz-checksum-sha256 not a base64 SHA-256 (400 BadDigest)
 *   7. the body: cut short (400 IncompleteBody if anyone is still listening), digest differs
 *      (400 BadDigest); nothing is stored on any failure
 *   8. under the upload's lock: still open (else 404), store, answer 200 if every segment is now
 *      present, else 206. ETag is the SHA-256 of the bytes received (a corrupt fault damages the
 *      stored copy after that, as silent storage corruption would).
 */
import type { RequestContext } from '../http/context.js';
import { parseContentRange } from '../http/ranges.js';
import { send, sendS3Error } from '../http/respond.js';
import { answerBodyNotReceived, presignedUrlAccepted, receiveRequestBody } from '../http/storage-put.js';
import type { Services } from '../services.js';
import { sha256OfFiles } from '../store/hashing.js';
import { flipMiddleByte } from '../store/segment-receiver.js';
import { segmentCount, segmentLength, type Upload } from '../store/uploads.js';

/** The segment index a request addresses, if it can tell (for fault rules with segmentIndex). */
export function peekSegmentIndex(ctx: RequestContext, env: Services, uploadId: string): number | undefined {
  const upload = env.uploads.get(uploadId);
  const range = parseContentRange(ctx.req.headers['content-range']);
  if (!upload || !range || range.start % upload.meta.chunkSize !== 0) return undefined;
  return range.start / upload.meta.chunkSize;
}

function decodeDigest(value: string | string[] | undefined): Buffer | undefined | 'bad' {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(value)) return 'bad';
  return Buffer.from(value, 'base64');
}

export async function segmentRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const uploadId = params.uploadId ?? '';
  const now = env.clock.now();
  const signature = env.signer.verify(ctx.url.pathname, ctx.url.searchParams, now);
  if (!presignedUrlAccepted(ctx, signature, 'The request signature we calculated does not match the signature you provided.')) return;
  const upload = env.uploads.get(uploadId);
  if (!upload || upload.meta.state !== 'open') {
    return sendS3Error(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist, or was aborted or completed.');
  }
  ctx.uploadId = upload.meta.uploadId;
  const { meta } = upload;
  if (ctx.req.headers['content-type'] !== meta.contentType) {
    return sendS3Error(ctx, 403, 'SignatureDoesNotMatch', 'Content-Type differs from the type declared at initiation.');
  }
  const perSecond = env.settings().storageRateLimitPerSecond;
  if (perSecond > 0) {
    const view = env.storageLimiter.hit(meta.uploadId, now, perSecond, 1);
    if (view.limited) {
      return sendS3Error(ctx, 429, 'SlowDown', 'Please reduce your request rate.', { 'Retry-After': view.resetSeconds });
    }
  }
  const range = parseContentRange(ctx.req.headers['content-range']);
  if (!range) return sendS3Error(ctx, 400, 'InvalidRange', 'Content-Range must be "bytes start-end/total".');
  const length = range.end - range.start + 1;
  if (range.total !== meta.totalSize) {
    return sendS3Error(ctx, 413, 'EntityTooLarge', `Content-Range total must be the declared totalSize ${meta.totalSize}.`);
  }
  if (length > meta.chunkSize) {
    return sendS3Error(ctx, 413, 'EntityTooLarge', `A segment is at most chunkSize (${meta.chunkSize}) bytes.`);
  }
  const index = range.start / meta.chunkSize;
  ctx.segmentIndex = Number.isInteger(index) ? index : undefined;
  if (!Number.isInteger(index) || length !== segmentLength(meta, index)) {
    return sendS3Error(ctx, 400, 'InvalidRange', 'Content-Range must cover exactly one segment.');
  }
  const declared = ctx.req.headers['content-length'];
  if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) !== length) {
    return sendS3Error(ctx, 400, 'InvalidRange', 'Content-Length must equal end - start + 1.');
  }
  const digest = decodeDigest(ctx.req.headers['x-amz-checksum-sha256']);
  if (digest === 'bad') return sendS3Error(ctx, 400, 'BadDigest', 'x-amz-checksum-sha256 must be a base64 SHA-256 digest.');

  const tempPath = env.uploads.tempPath(meta.uploadId);
  const received = await receiveRequestBody(ctx, tempPath, length);
  if (!received.ok) return answerBodyNotReceived(ctx, received.reason, 'segment body', 'Fewer bytes arrived than Content-Length announced.');
  if (digest !== undefined && !digest.equals(received.sha256)) {
    await env.uploads.discardTemp(tempPath);
    return sendS3Error(ctx, 400, 'BadDigest', 'The x-amz-checksum-sha256 you specified did not match what we received.');
  }
  try {
    await env.uploads.lock(meta.uploadId, () => store(ctx, env, upload, index, tempPath, length, received.sha256));
  } finally {
    await env.uploads.discardTemp(tempPath); // a no-op once committed (renamed away)
  }
}

async function store(ctx: RequestContext, env: Services, upload: Upload, index: number, tempPath: string, size: number, sha256: Buffer) {
  if (upload.meta.state !== 'open') {
    return sendS3Error(ctx, 404, 'NoSuchUpload', 'The upload was aborted or completed while this segment arrived.');
  }
  let storedHash = sha256.toString('hex');
  const corrupt = env.faults.take('segment', 'corrupt', index);
  if (corrupt) {
    ctx.fault = 'corrupt';
    await flipMiddleByte(tempPath, size);
    storedHash = await sha256OfFiles([tempPath], env.closing);
  }
  const segment = { index, size, sha256: storedHash };
  await env.uploads.commitSegment(upload, tempPath, segment);
  void env.wholeHashes.stored(upload, segment);
  const complete = upload.segments.size === segmentCount(upload.meta);
  send(ctx, complete ? 200 : 206, { ETag: `"${sha256.toString('hex')}"` });
}
