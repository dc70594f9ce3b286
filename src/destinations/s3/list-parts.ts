/**
 * What a multipart upload holds, from ListParts (paginated: S3 answers at most 1,000 parts a
 * page). A store that has forgotten the upload answers 404 `NoSuchUpload` — or `NoSuchKey`, as
 * Ceph RGW does for a finished or aborted one — and that is "forgotten", not a failure.
 */
import { UploadError } from '../../errors/index.js';
import { segmentRange, type SegmentPlan } from '../../upload/plan.js';
import type { StoredPart } from '../destination.js';
import { bareEtag, checksumOfBase64 } from './checksums.js';
import type { S3Connection } from './client.js';
import type { PartTarget } from './presign.js';

export interface ListedPart {
  partNumber: number;
  size: number;
  etag: string;
  /** "sha256:<hex>", or undefined when the store keeps no checksums. */
  checksum: string | undefined;
}

const MAX_PAGES = 100; // 10,000 parts at 1,000 a page, with room to spare

/** Every part of the upload, or undefined when the store no longer knows it. */
export async function listParts(connection: S3Connection, target: PartTarget, signal: AbortSignal | undefined): Promise<ListedPart[] | undefined> {
  const parts: ListedPart[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    let out;
    try {
      out = await connection.control('list the stored parts', signal, (client, sdk, o) =>
        client.send(new sdk.ListPartsCommand({ Bucket: target.bucket, Key: target.key, UploadId: target.uploadId, MaxParts: 1000, ...(marker !== undefined && { PartNumberMarker: marker }) }), o),
      );
    } catch (error) {
      if (error instanceof UploadError && error.status === 404 && (error.remoteCode === 'NoSuchUpload' || error.remoteCode === 'NoSuchKey')) return undefined;
      // A store that cannot list parts at all (s3rver, some appliances) cannot resume: start over.
      if (error instanceof UploadError && (error.status === 405 || error.status === 501)) return undefined;
      throw error;
    }
    for (const part of out.Parts ?? []) {
      if (part.PartNumber === undefined) continue;
      parts.push({ partNumber: part.PartNumber, size: part.Size ?? -1, etag: bareEtag(part.ETag), checksum: checksumOfBase64(part.ChecksumSHA256) });
    }
    if (out.IsTruncated !== true || out.NextPartNumberMarker === undefined || out.NextPartNumberMarker === marker) break;
    marker = out.NextPartNumberMarker;
  }
  return parts;
}

/** The listed parts that can be ours: within the plan and of the planned length, by index. */
export function heldParts(plan: SegmentPlan, listed: readonly ListedPart[]): Map<number, StoredPart> {
  const held = new Map<number, StoredPart>();
  for (const part of listed) {
    const index = part.partNumber - 1;
    if (index < 0 || index >= plan.chunks || part.size !== segmentRange(plan, index).length) continue;
    held.set(index, { index, size: part.size, checksum: part.checksum, etag: part.etag });
  }
  return held;
}
