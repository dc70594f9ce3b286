/**
 * A multipart upload the store no longer knows (ListParts: NoSuchUpload) may be one that finished:
 * CompleteMultipartUpload succeeded and the process died — or lost the answer — before the journal
 * recorded it. Uploading the file again would leave a second object behind. So the journalled key
 * is asked (HeadObject with checksums): the object is ours when its size is the file's and its
 * composite checksum is the one the journalled part checksums make. The size alone is not trusted
 * (a store without flexible checksums, such as Ceph RGW 16 or s3rver, cannot say more): such an
 * upload starts over, as it always did.
 */
import { segmentRange, type SegmentPlan } from '../../upload/plan.js';
import type { StoredPart } from '../destination.js';
import { compositeChecksum } from './checksums.js';
import type { S3Connection } from './client.js';
import { headObject, type ObjectTarget } from './head-object.js';

export interface FinishedUpload {
  /** Every part, with the checksum the journal recorded for it. */
  held: Map<number, StoredPart>;
  /** The store's composite checksum of the object (`base64-N`). */
  composite: string;
}

/** The planned parts' journalled checksums in order, or undefined when one is missing or of another size. */
function journalledChecksums(plan: SegmentPlan, journalled: readonly StoredPart[]): string[] | undefined {
  const byIndex = new Map(journalled.map((p) => [p.index, p]));
  const checksums: string[] = [];
  for (let index = 0; index < plan.chunks; index++) {
    const part = byIndex.get(index);
    if (part?.checksum === undefined || part.checksum === '' || part.size !== segmentRange(plan, index).length) return undefined;
    checksums.push(part.checksum);
  }
  return checksums;
}

/** The object as a finished upload of these parts, or undefined (upload anew). A failure to ask throws (a later run asks again). */
export async function finishedUpload(connection: S3Connection, target: ObjectTarget, plan: SegmentPlan, journalled: readonly StoredPart[] | undefined, signal: AbortSignal): Promise<FinishedUpload | undefined> {
  if (journalled === undefined || plan.chunks < 2) return undefined;
  const checksums = journalledChecksums(plan, journalled);
  if (checksums === undefined) return undefined;
  const head = await headObject(connection, target, signal);
  if (head === undefined || head.size !== plan.totalSize || head.checksum === undefined) return undefined;
  const composite = compositeChecksum(checksums);
  if (head.checksum !== composite) return undefined;
  const held = new Map<number, StoredPart>(checksums.map((checksum, index) => [index, { index, size: segmentRange(plan, index).length, checksum }]));
  return { held, composite };
}
