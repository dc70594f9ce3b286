/**
 * The segment layout of an upload, from the server's answer only (PROTOCOL.md §2-§3): segment i
 * covers [i*chunkSize, min((i+1)*chunkSize, totalSize) - 1]. The client never picks its own chunk
 * size; a chunkSize above totalSize simply means one segment.
 */
import { RejectedError } from '../errors/index.js';

export interface SegmentPlan {
  totalSize: number;
  chunkSize: number;
  maxChunks: number;
  chunks: number;
}

export function planSegments(totalSize: number, chunkSize: number, maxChunks: number): SegmentPlan {
  const chunks = Math.ceil(totalSize / chunkSize);
  if (chunks > maxChunks) {
    throw new RejectedError(
      'rejected.too_many_chunks',
      `The file (${totalSize} bytes) needs ${chunks} chunks of ${chunkSize} bytes, but the org allows at most ${maxChunks} ` +
        `(${maxChunks * chunkSize} bytes). Send a smaller file or split it.`,
      { details: { totalSize, chunkSize, maxChunks, chunks } },
    );
  }
  return { totalSize, chunkSize, maxChunks, chunks };
}

export function segmentRange(plan: SegmentPlan, index: number): { start: number; length: number } {
  const start = index * plan.chunkSize;
  return { start, length: Math.min(plan.chunkSize, plan.totalSize - start) };
}
