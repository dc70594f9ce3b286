/** The `s3` part of the emulator's state view: objects and open multipart uploads, per bucket. */
import { iso } from './call.js';
import type { S3Store } from './store.js';
import type { S3Settings, S3StateView } from './types.js';

export function buildS3State(store: S3Store, settings: S3Settings, url: string, seen: { presigned: number; headerSigned: number }): S3StateView {
  return {
    url,
    region: settings.region,
    buckets: settings.buckets.map((name) => ({
      name,
      objects: store.objects(name).map((o) => ({
        key: o.key,
        size: o.size,
        sha256: o.sha256,
        etag: o.etag,
        ...(o.checksumSHA256 !== undefined && { checksumSHA256: o.checksumSHA256 }),
        ...(o.checksumType !== undefined && { checksumType: o.checksumType }),
        contentType: o.contentType,
        ...(o.contentDisposition !== undefined && { contentDisposition: o.contentDisposition }),
        metadata: { ...o.metadata },
        lastModified: iso(o.lastModified),
        ...(o.partCount !== undefined && { parts: o.partCount }),
      })),
    })),
    uploads: store.uploads().map((u) => ({
      bucket: u.bucket,
      key: u.key,
      uploadId: u.uploadId,
      initiated: iso(u.initiated),
      ...(u.checksumAlgorithm !== undefined && { checksumAlgorithm: u.checksumAlgorithm }),
      contentType: u.contentType,
      ...(u.contentDisposition !== undefined && { contentDisposition: u.contentDisposition }),
      metadata: { ...u.metadata },
      parts: [...u.parts.values()]
        .sort((a, b) => a.partNumber - b.partNumber)
        .map((p) => ({
          partNumber: p.partNumber,
          size: p.size,
          etag: `"${p.md5}"`,
          ...(u.checksumAlgorithm !== undefined && { checksumSHA256: p.sha256 }),
          sha256: p.storedSha256,
        })),
    })),
    presignedRequests: seen.presigned,
    headerSignedRequests: seen.headerSigned,
  };
}
