/**
 * Reads segments for the workers: positional reads (no shared file position) into pooled
 * buffers, one read at a time and in index order. Each segment is hashed once, from the very bytes
 * that will be sent, and the same bytes are fed to the whole-file hash right away — in index order
 * because reads are serialised — so there is no second pass over the file, no reordering buffer,
 * and nothing that can wait on anything else (no deadlock): a worker asks for the next segment
 * only when it is ready to send it, and holds one buffer while it does.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { IntegrityError } from '../errors/index.js';
import type { BufferPool } from './buffer-pool.js';
import { segmentRange, type SegmentPlan } from './plan.js';

export interface Segment {
  index: number;
  start: number;
  /** The segment's bytes: a view of a pooled buffer, valid until `release()`. */
  data: Buffer;
  /** "sha256:<lowercase hex>" */
  checksum: string;
  /** The same digest in base64, for x-amz-checksum-sha256. */
  checksumBase64: string;
  release(): void;
}

export class SegmentReader {
  readonly #file: FileHandle;
  readonly #plan: SegmentPlan;
  readonly #pool: BufferPool;
  readonly #whole: Hash = createHash('sha256');
  #next = 0;
  /** Serialises reads so the whole-file hash sees segments in order. */
  #turn: Promise<unknown> = Promise.resolve();
  /** Bytes read from the file, re-reads included. */
  bytesRead = 0;

  constructor(file: FileHandle, plan: SegmentPlan, pool: BufferPool) {
    this.#file = file;
    this.#plan = plan;
    this.#pool = pool;
  }

  /** The next segment in index order, or undefined when all have been handed out. */
  next(signal?: AbortSignal): Promise<Segment | undefined> {
    const run = this.#turn.then(async () => {
      if (this.#next >= this.#plan.chunks) return undefined;
      const index = this.#next++;
      const segment = await this.#read(index, signal);
      this.#whole.update(segment.data);
      return segment;
    });
    this.#turn = run.catch(() => undefined);
    return run;
  }

  /** Reads segment `index` again (for a re-send after complete); must hash to `expected`. */
  async reread(index: number, expected: string, signal?: AbortSignal): Promise<Segment> {
    const segment = await this.#read(index, signal);
    if (segment.checksum !== expected) {
      segment.release();
      throw new IntegrityError(
        'integrity.file_changed',
        `Segment ${index} of the file reads differently now than when it was first sent; the file changed during the upload. Nothing was completed.`,
      );
    }
    return segment;
  }

  /** The whole file's SHA-256 in lowercase hex; valid once every segment went through `next`. */
  wholeFileSha256(): string {
    if (this.#next < this.#plan.chunks) throw new Error('wholeFileSha256 called before every segment was read');
    return this.#whole.digest('hex');
  }

  async #read(index: number, signal?: AbortSignal): Promise<Segment> {
    const segment = await readSegment(this.#file, this.#plan, this.#pool, index, {
      signal,
      ended: (at) => `The file ended at byte ${at} while reading segment ${index}: it shrank during the upload. Nothing was completed.`,
    });
    this.bytesRead += segment.data.length;
    return segment;
  }
}

/**
 * Reads segment `index` into a pooled buffer (released by the segment's `release`, or here on a
 * failure) with positional reads. Its checksum is `known` when the caller hashed that very range
 * already, else computed from the bytes read. `ended` words the error when the file is shorter.
 */
export async function readSegment(
  file: FileHandle,
  plan: SegmentPlan,
  pool: BufferPool,
  index: number,
  options: { signal?: AbortSignal | undefined; known?: string | undefined; ended: (at: number) => string },
): Promise<Segment> {
  const { start, length } = segmentRange(plan, index);
  const buffer = await pool.acquire(options.signal);
  try {
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await file.read(buffer, filled, length - filled, start + filled);
      if (bytesRead === 0) throw new IntegrityError('integrity.file_changed', options.ended(start + filled));
      filled += bytesRead;
    }
    const data = buffer.subarray(0, length);
    const digest = options.known === undefined ? createHash('sha256').update(data).digest() : Buffer.from(options.known.slice('sha256:'.length), 'hex');
    let released = false;
    return {
      index,
      start,
      data,
      checksum: `sha256:${digest.toString('hex')}`,
      checksumBase64: digest.toString('base64'),
      release: () => {
        if (released) return;
        released = true;
        pool.release(buffer);
      },
    };
  } catch (error) {
    pool.release(buffer);
    throw error;
  }
}
