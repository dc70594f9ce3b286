/**
 * Multipart uploads: CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload,
 * AbortMultipartUpload, ListMultipartUploads (Complete is complete.ts). S3's rules, including the
 * one that catches the commonest client bug: a part whose bytes do not match its
 * x-amz-checksum-sha256 is 400 BadDigest, and nothing is stored.
 */
import { createHash } from 'node:crypto';
import { readBody } from '../http/body.js';
import { send, type Headers } from '../http/respond.js';
import { answerBodyNotReceived, INCOMPLETE_BODY } from '../http/storage-put.js';
import { sha256OfFiles } from '../store/hashing.js';
import { flipMiddleByte } from '../store/segment-receiver.js';
import {
  bodyMatches, declaredLength, integrityHeaders, iso, legacy, MAX_PART_SIZE, MAX_PARTS, objectHeadersOf,
  queryValue, s3Error, sendXml, type S3Call, type S3Env,
} from './call.js';
import { receiveBody } from './receive.js';
import type { MultipartUpload, StoredPart } from './store.js';

export const NO_UPLOAD = 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.';

export function findUpload(call: S3Call, s3: S3Env): MultipartUpload | undefined {
  const uploadId = queryValue(call, 'uploadId') ?? '';
  const upload = s3.store.upload(uploadId);
  if (upload && upload.bucket === call.bucket && upload.key === call.key) return upload;
  if (legacy(s3) && s3.store.completed(uploadId)) {
    s3Error(call.ctx, 404, 'NoSuchKey', 'The specified key does not exist.'); // what Ceph RGW 16 answers
  } else {
    s3Error(call.ctx, 404, 'NoSuchUpload', NO_UPLOAD);
  }
  return undefined;
}

export async function createUpload(call: S3Call, s3: S3Env): Promise<void> {
  const { ctx } = call;
  const body = await readBody(ctx);
  if (!body.ok) return;
  if (!bodyMatches(call, {}, { sha256: createHash('sha256').update(body.body).digest(), md5: Buffer.alloc(16) })) return;
  const algorithm = ctx.req.headers['x-amz-checksum-algorithm'];
  const type = ctx.req.headers['x-amz-checksum-type'];
  if (algorithm !== undefined && String(algorithm).toUpperCase() !== 'SHA256' && !legacy(s3)) {
    return s3Error(ctx, 501, 'NotImplemented', `Checksum algorithm ${String(algorithm)} is not supported by this endpoint; use SHA256.`);
  }
  if (type !== undefined && String(type).toUpperCase() !== 'COMPOSITE' && !legacy(s3)) {
    return s3Error(ctx, 400, 'InvalidRequest', `The ${String(type)} checksum type cannot be used with the sha256 checksum algorithm.`);
  }
  const headers = objectHeadersOf(ctx);
  if (!headers) return;
  const sha256 = algorithm !== undefined && !legacy(s3);
  const upload = s3.store.createUpload({
    bucket: call.bucket,
    key: call.key,
    initiated: s3.env.clock.now(),
    ...headers,
    ...(sha256 && { checksumAlgorithm: 'SHA256' as const }),
  });
  const checksumHeaders: Headers = sha256 ? { 'x-amz-checksum-algorithm': 'SHA256', 'x-amz-checksum-type': 'COMPOSITE' } : {};
  sendXml(ctx, 200, 'InitiateMultipartUploadResult', { Bucket: call.bucket, Key: call.key, UploadId: upload.uploadId }, checksumHeaders);
}

/** The part number a request addresses, when it is a valid one (also for fault rules). */
export function partNumberOf(query: Record<string, string | string[]>): number | undefined {
  const raw = query.partNumber;
  if (typeof raw !== 'string' || !/^\d{1,5}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= MAX_PARTS ? n : undefined;
}

export async function uploadPart(call: S3Call, s3: S3Env): Promise<void> {
  const { ctx } = call;
  if (ctx.req.headers['x-amz-copy-source'] !== undefined) return s3Error(ctx, 501, 'NotImplemented', 'UploadPartCopy is not supported here.');
  const partNumber = partNumberOf(call.query);
  if (partNumber === undefined) return s3Error(ctx, 400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive.');
  const upload = findUpload(call, s3);
  if (!upload) return;
  const length = declaredLength(ctx, MAX_PART_SIZE);
  if (length === undefined) return;
  const expected = integrityHeaders(call, s3);
  if (!expected) return;
  if (upload.checksumAlgorithm === 'SHA256' && !expected.sha256) {
    const hoisted = call.query['x-amz-checksum-sha256'] !== undefined ? ' It came in the query string, where it is not the part checksum: keep it a header (presigner: unhoistableHeaders).' : '';
    return s3Error(ctx, 400, 'InvalidRequest', `The upload was created with the SHA256 checksum algorithm; each part needs an x-amz-checksum-sha256 header.${hoisted}`);
  }
  const tempPath = s3.store.tempPath();
  const received = await receiveBody(ctx, tempPath, length);
  if (!received.ok) return cutShort(call, received.reason);
  try {
    if (!bodyMatches(call, expected, received)) return;
    await s3.store.lock(upload.uploadId, async () => {
      if (s3.store.upload(upload.uploadId) !== upload) return void s3Error(ctx, 404, 'NoSuchUpload', NO_UPLOAD);
      let storedSha256 = received.sha256.toString('hex');
      const corrupt = s3.env.faults.take('s3-part', 'corrupt', undefined, partNumber);
      if (corrupt) {
        ctx.fault = 'corrupt';
        await flipMiddleByte(tempPath, length);
        storedSha256 = await sha256OfFiles([tempPath], s3.env.closing);
      }
      const path = await s3.store.commit(tempPath);
      const part: StoredPart = {
        partNumber,
        path,
        size: length,
        md5: received.md5.toString('hex'),
        sha256: received.sha256.toString('base64'),
        storedSha256,
        lastModified: s3.env.clock.now(),
      };
      const replaced = s3.store.putPart(upload, part);
      if (replaced !== undefined) await s3.store.discard([replaced]);
      const checksum: Headers = upload.checksumAlgorithm === 'SHA256' ? { 'x-amz-checksum-sha256': part.sha256 } : {};
      send(ctx, 200, { ETag: `"${part.md5}"`, ...checksum });
    });
  } finally {
    await s3.store.discard([tempPath]); // a no-op once committed (renamed away)
  }
}

/** A body that ended early: answer if the client still listens, as S3 does. */
export function cutShort(call: S3Call, reason: 'cut' | 'gone' | 'error'): void {
  answerBodyNotReceived(call.ctx, reason, 'body', INCOMPLETE_BODY);
}

export async function listParts(call: S3Call, s3: S3Env): Promise<void> {
  const { ctx } = call;
  const upload = findUpload(call, s3);
  if (!upload) return;
  const maxText = queryValue(call, 'max-parts') ?? '1000';
  const markerText = queryValue(call, 'part-number-marker') ?? '0';
  if (!/^\d{1,9}$/.test(maxText) || !/^\d{1,9}$/.test(markerText)) {
    return s3Error(ctx, 400, 'InvalidArgument', 'max-parts and part-number-marker must be non-negative integers.');
  }
  const maxParts = Math.min(Number(maxText), 1000);
  const marker = Number(markerText);
  const after = [...upload.parts.values()].filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  const sha = upload.checksumAlgorithm === 'SHA256';
  sendXml(ctx, 200, 'ListPartsResult', {
    Bucket: call.bucket,
    Key: call.key,
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
    MaxParts: maxParts,
    IsTruncated: String(truncated),
    Part: page.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: iso(p.lastModified),
      ETag: `"${p.md5}"`,
      Size: p.size,
      ChecksumSHA256: sha ? p.sha256 : undefined,
    })),
    StorageClass: 'STANDARD',
    ChecksumAlgorithm: sha ? 'SHA256' : undefined,
    ChecksumType: sha ? 'COMPOSITE' : undefined,
  });
}

export async function abortUpload(call: S3Call, s3: S3Env): Promise<void> {
  const upload = findUpload(call, s3);
  if (!upload) return;
  await s3.store.lock(upload.uploadId, async () => {
    await s3.store.discard(s3.store.endUpload(upload.uploadId));
  });
  send(call.ctx, 204, {});
}

export async function listUploads(call: S3Call, s3: S3Env): Promise<void> {
  const prefix = queryValue(call, 'prefix') ?? '';
  const uploads = s3.store
    .uploads()
    .filter((u) => u.bucket === call.bucket && u.key.startsWith(prefix))
    .sort((a, b) => (a.key === b.key ? a.initiated - b.initiated : a.key < b.key ? -1 : 1));
  const page = uploads.slice(0, 1000);
  sendXml(call.ctx, 200, 'ListMultipartUploadsResult', {
    Bucket: call.bucket,
    KeyMarker: '',
    UploadIdMarker: '',
    Prefix: prefix,
    MaxUploads: 1000,
    IsTruncated: String(uploads.length > page.length),
    Upload: page.map((u) => ({
      Key: u.key,
      UploadId: u.uploadId,
      Initiated: iso(u.initiated),
      StorageClass: 'STANDARD',
      ChecksumAlgorithm: u.checksumAlgorithm,
    })),
  });
}
