/**
 * Reads segments for the workers: positional reads (no shared file position) into pooled
 * buffers, one read at a time and in index order. Each segment is hashed once, from the very bytes
 * that will be sent, and the same bytes are fed to the whole-file hash right away — in index order
 * because reads are serialised — so there is no second pass over the file, no reordering buffer,
 * and nothing that can wait on anything else (no deadlock): a worker asks for the next segment
 * only when it is ready to send it, and holds one buffer while it does.
 *
 * A growing source (growing-source.ts) adds hooks: each segment is read only once its bytes are
 * there, and its checksum is the caller's when the caller hashed that very range already (then it
 * is not hashed here). The whole-file hash is then the caller's when it computes one: fed here in
 * order only when the caller does not, or lost track before the first segment; one sequential
 * pass at the end when it lost track later.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { IntegrityError } from '../errors/index.js';
import type { BufferPool } from './buffer-pool.js';
import { digestRange } from './fingerprint.js';
import type { GrowingSource } from './growing-source.js';
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
  readonly #growing: GrowingSource | undefined;
  readonly #signal: AbortSignal | undefined;
  /** Undefined when the caller computes the whole-file hash (decided when the first segment is read). */
  #whole: Hash | undefined;
  #next = 0;
  /** Serialises reads so the whole-file hash sees segments in order. */
  #turn: Promise<unknown> = Promise.resolve();
  /** Bytes read from the file, re-reads included. */
  bytesRead = 0;

  /** `growing`: the file is still being written (its hooks); `signal` stops waiting for it. */
  constructor(file: FileHandle, plan: SegmentPlan, pool: BufferPool, growing?: GrowingSource, signal?: AbortSignal) {
    this.#file = file;
    this.#plan = plan;
    this.#pool = pool;
    this.#growing = growing;
    this.#signal = signal;
    if (growing === undefined) this.#whole = createHash('sha256');
  }

  /** The next segment in index order, or undefined when all have been handed out. */
  next(signal?: AbortSignal): Promise<Segment | undefined> {
    const run = this.#turn.then(async () => {
      if (this.#next >= this.#plan.chunks) return undefined;
      const index = this.#next;
      let known: string | undefined;
      const growing = this.#growing;
      if (growing !== undefined) {
        const { start, length } = segmentRange(this.#plan, index);
        const waitSignal = signal ?? this.#signal ?? new AbortController().signal;
        waitSignal.throwIfAborted(); // a worker queued behind one that just failed
        await growing.waitFor(start + length, waitSignal);
        if (index === 0 && (growing.wholeSha256 === undefined || growing.tracksWhole?.() === false)) this.#whole = createHash('sha256');
        known = growing.knownChecksum?.(index, start, length);
      }
      this.#next++;
      const segment = await this.#read(index, known, signal);
      this.#whole?.update(segment.data);
      return segment;
    });
    this.#turn = run.catch(() => undefined);
    return run;
  }

  /** Reads segment `index` again (for a re-send after complete); must hash to `expected`. */
  async reread(index: number, expected: string, signal?: AbortSignal): Promise<Segment> {
    const segment = await this.#read(index, undefined, signal);
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
  async wholeFileSha256(): Promise<string> {
    if (this.#next < this.#plan.chunks) throw new Error('wholeFileSha256 called before every segment was read');
    if (this.#whole !== undefined) return this.#whole.digest('hex');
    const given = this.#growing?.wholeSha256?.();
    if (given !== undefined) return given;
    // The caller lost track of the order (a restart mid-file): one more pass, in order.
    return (await digestRange(this.#file, 0, this.#plan.totalSize, this.#signal)).slice('sha256:'.length);
  }

  async #read(index: number, known: string | undefined, signal?: AbortSignal): Promise<Segment> {
    const segment = await readSegment(this.#file, this.#plan, this.#pool, index, {
      signal,
      known,
      ended: (at) =>
        this.#growing === undefined
          ? `The file ended at byte ${at} while reading segment ${index}: it shrank during the upload. Nothing was completed.`
          : `The file ended at byte ${at} while reading segment ${index}, although it was said to be there.`,
    });
    this.bytesRead += segment.data.length;
    return segment;
  }
}

/** A segment over `data`, its checksum `known` or computed from `data`; `release` frees its memory. */
function segmentOf(index: number, start: number, data: Buffer, known: string | undefined, release: () => void): Segment {
  const digest = known === undefined ? createHash('sha256').update(data).digest() : Buffer.from(known.slice('sha256:'.length), 'hex');
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
      release();
    },
  };
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
    return segmentOf(index, start, buffer.subarray(0, length), options.known, () => pool.release(buffer));
  } catch (error) {
    pool.release(buffer);
    throw error;
  }
}
