/**
 * The SHA-256 of the upload's first and last chunk: with size, modification time and inode, the
 * file's identity that a resume checks before trusting anything it stored earlier. Read through a
 * small buffer of its own, so it costs two chunk reads and no chunk-sized allocation.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { IntegrityError } from '../errors/index.js';
import { segmentRange, type SegmentPlan } from './plan.js';

const READ_SIZE = 256 * 1024;

/** "sha256:<hex>" of `length` bytes at `start`. */
export async function digestRange(handle: FileHandle, start: number, length: number, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.min(READ_SIZE, Math.max(1, length)));
  let done = 0;
  while (done < length) {
    signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, length - done), start + done);
    if (bytesRead === 0) {
      throw new IntegrityError('integrity.file_changed', `The file ended at byte ${start + done} while reading its first and last chunk: it shrank.`);
    }
    hash.update(buffer.subarray(0, bytesRead));
    done += bytesRead;
  }
  return `sha256:${hash.digest('hex')}`;
}

export interface ChunkFingerprint {
  headSha256: string;
  tailSha256: string;
}

export async function fingerprint(handle: FileHandle, plan: SegmentPlan, signal?: AbortSignal): Promise<ChunkFingerprint> {
  const head = segmentRange(plan, 0);
  const tail = segmentRange(plan, plan.chunks - 1);
  const headSha256 = await digestRange(handle, head.start, head.length, signal);
  const tailSha256 = plan.chunks === 1 ? headSha256 : await digestRange(handle, tail.start, tail.length, signal);
  return { headSha256, tailSha256 };
}
