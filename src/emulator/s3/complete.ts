/**
 * CompleteMultipartUpload: the parts in ascending order (InvalidPartOrder), each with its ETag and,
 * for a SHA256 upload, its ChecksumSHA256 (InvalidPart on any mismatch), every part but the last of
 * at least 5 MiB (EntityTooSmall). Answers the composite checksum base64(SHA-256(part digests))-N
 * and the ETag MD5(part MD5s)-N; a retried Complete whose first answer was lost gets the same answer.
 */
import { createHash } from 'node:crypto';
import { readBody } from '../http/body.js';
import { sha256OfFilesSync } from '../store/hashing.js';
import { bodyMatches, legacy, MIN_PART_SIZE, queryValue, s3Error, sendXml, type S3Call, type S3Env } from './call.js';
import { findUpload, NO_UPLOAD } from './multipart.js';
import type { MultipartUpload, StoredObject, StoredPart } from './store.js';
import { parseCompleteBody, type CompletePart } from './xml.js';

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');

export async function completeUpload(call: S3Call, s3: S3Env): Promise<void> {
  const { ctx } = call;
  const body = await readBody(ctx, 4 * 1024 * 1024);
  if (!body.ok) {
    if (body.reason === 'too-large') s3Error(ctx, 400, 'MalformedXML', 'The CompleteMultipartUpload document is too large.');
    return;
  }
  if (!bodyMatches(call, {}, { sha256: createHash('sha256').update(body.body).digest(), md5: Buffer.alloc(16) })) return;
  const parts = parseCompleteBody(body.body.toString('utf8'));
  const uploadId = queryValue(call, 'uploadId') ?? '';
  const done = s3.store.completed(uploadId);
  if (done && !s3.store.upload(uploadId) && !legacy(s3)) {
    // A retried Complete whose first answer was lost: same parts, same answer.
    const same = parts !== undefined && done.bucket === call.bucket && done.key === call.key && parts.length === done.parts.length &&
      parts.every((p, i) => p.partNumber === done.parts[i]?.partNumber && unquote(p.etag) === done.parts[i]?.etag);
    if (same) return answerComplete(call, s3, done.etag, done.checksumSHA256);
  }
  const upload = findUpload(call, s3);
  if (!upload) return;
  if (!parts) return s3Error(ctx, 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  await s3.store.lock(upload.uploadId, async () => {
    if (s3.store.upload(upload.uploadId) !== upload) return s3Error(ctx, 404, 'NoSuchUpload', NO_UPLOAD);
    const chosen = checkParts(call, upload, parts);
    if (!chosen) return;
    const md5s = Buffer.concat(chosen.map((p) => Buffer.from(p.md5, 'hex')));
    const etag = `${createHash('md5').update(md5s).digest('hex')}-${chosen.length}`;
    const sha = upload.checksumAlgorithm === 'SHA256';
    const digests = Buffer.concat(chosen.map((p) => Buffer.from(p.sha256, 'base64')));
    const composite = sha ? `${createHash('sha256').update(digests).digest('base64')}-${chosen.length}` : undefined;
    const segments = chosen.map(({ path, size }) => ({ path, size }));
    let whole: string | undefined;
    const object: StoredObject = {
      bucket: upload.bucket,
      key: upload.key,
      size: chosen.reduce((sum, p) => sum + p.size, 0),
      segments,
      etag: `"${etag}"`,
      ...(composite !== undefined && { checksumSHA256: composite, checksumType: 'COMPOSITE' as const }),
      // The whole object's SHA-256 is the state view's (S3 itself has none for a composite
      // object): computed from the stored files when first read, so Complete answers without
      // reading a many-GiB object again, as S3 does.
      get sha256(): string {
        return (whole ??= sha256OfFilesSync(segments.map((s) => s.path)));
      },
      contentType: upload.contentType,
      ...(upload.contentDisposition !== undefined && { contentDisposition: upload.contentDisposition }),
      metadata: { ...upload.metadata },
      lastModified: s3.env.clock.now(),
      partCount: chosen.length,
    };
    const kept = new Set(chosen.map((p) => p.path));
    const unlisted = [...upload.parts.values()].map((p) => p.path).filter((p) => !kept.has(p));
    const replaced = s3.store.putObject(object);
    s3.store.endUpload(upload.uploadId, {
      bucket: upload.bucket,
      key: upload.key,
      parts: chosen.map((p) => ({ partNumber: p.partNumber, etag: p.md5 })),
      etag: object.etag,
      ...(composite !== undefined && { checksumSHA256: composite }),
    });
    await s3.store.discard([...unlisted, ...replaced]);
    answerComplete(call, s3, object.etag, composite);
  });
}

/** The stored parts a Complete names, in its order, or undefined after answering why not. */
function checkParts(call: S3Call, upload: MultipartUpload, parts: CompletePart[]): StoredPart[] | undefined {
  const { ctx } = call;
  for (let i = 1; i < parts.length; i++) {
    if ((parts[i]?.partNumber ?? 0) <= (parts[i - 1]?.partNumber ?? 0)) {
      s3Error(ctx, 400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
      return undefined;
    }
  }
  const chosen: StoredPart[] = [];
  for (const given of parts) {
    const stored = upload.parts.get(given.partNumber);
    if (!stored || unquote(given.etag) !== stored.md5) {
      s3Error(ctx, 400, 'InvalidPart', `One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag (part ${given.partNumber}).`);
      return undefined;
    }
    if (upload.checksumAlgorithm === 'SHA256') {
      if (given.checksumSHA256 === undefined) {
        s3Error(ctx, 400, 'InvalidRequest', `The upload was created using a sha256 checksum. The complete request must include the checksum for each part. It was missing for part ${given.partNumber} in the request.`);
        return undefined;
      }
      if (given.checksumSHA256 !== stored.sha256) {
        s3Error(ctx, 400, 'InvalidPart', `One or more of the specified parts could not be found. The checksum given for part ${given.partNumber} does not match the stored part's checksum.`);
        return undefined;
      }
    }
    chosen.push(stored);
  }
  const small = chosen.slice(0, -1).find((p) => p.size < MIN_PART_SIZE);
  if (small) {
    s3Error(ctx, 400, 'EntityTooSmall', `Your proposed upload is smaller than the minimum allowed object size: part ${small.partNumber} has ${small.size} bytes; every part but the last needs at least 5 MiB.`);
    return undefined;
  }
  return chosen;
}

function answerComplete(call: S3Call, s3: S3Env, etag: string, composite: string | undefined): void {
  const location = `${s3.url()}/${call.bucket}/${call.key.split('/').map(encodeURIComponent).join('/')}`;
  sendXml(call.ctx, 200, 'CompleteMultipartUploadResult', {
    Location: location,
    Bucket: call.bucket,
    Key: call.key,
    // Ceph RGW 16 may answer an empty ETag and no checksum: clients must cope.
    ETag: legacy(s3) ? '' : etag,
    ChecksumSHA256: legacy(s3) ? undefined : composite,
    ChecksumType: composite !== undefined && !legacy(s3) ? 'COMPOSITE' : undefined,
  });
}
