/**
 * The part size of one file: the configured size, grown (in whole MiB) when the file would need
 * more than S3's 10,000 parts; a file that fits one part goes as a single PutObject.
 */
import { RejectedError } from '../../errors/index.js';
import { planSegments, type SegmentPlan } from '../../upload/plan.js';
import { MAX_OBJECT_SIZE, MAX_PART_SIZE, MAX_PARTS, MiB } from './options.js';

/** The refusal of a file larger than an S3 object may be (5 TiB), or undefined. */
export function tooLargeForS3(size: number): RejectedError | undefined {
  if (size <= MAX_OBJECT_SIZE) return undefined;
  return new RejectedError('rejected.too_large', `The file (${size} bytes) is larger than the 5 TiB an S3 object may hold. Split it before sending.`, {
    details: { size, maxSize: MAX_OBJECT_SIZE },
  });
}

export function partSizeFor(size: number, configured: number): number {
  const tooLarge = tooLargeForS3(size);
  if (tooLarge !== undefined) throw tooLarge;
  if (Math.ceil(size / configured) <= MAX_PARTS) return configured;
  const grown = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.min(grown, MAX_PART_SIZE);
}

/** The layout of a file in parts (chunks = 0 for an empty file, 1 for a single PutObject). */
export function planParts(size: number, configured: number): SegmentPlan {
  return planSegments(size, partSizeFor(size, configured), MAX_PARTS);
}

/** A file that fits one part is one PutObject, not a multipart upload. */
export const isSinglePut = (plan: SegmentPlan): boolean => plan.chunks <= 1;

/** A journalled multipart upload's layout, in the part size it was created with. */
export function multipartPlan(size: number, partSize: number): SegmentPlan {
  return planSegments(size, partSize, MAX_PARTS);
}

/** A journalled single PutObject's layout: the whole file as one part (none when empty). */
export function singlePutPlan(size: number): SegmentPlan {
  return planSegments(size, Math.max(size, 1), 1);
}
