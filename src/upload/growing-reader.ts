/**
 * SegmentReader's counterpart for a growing source (growing-source.ts): segments in index order,
 * each read only once its bytes are there, into a pooled buffer. A segment's checksum is the
 * caller's when it hashed that very range already, else computed here from the bytes read; the
 * whole-file hash is fed in order here only when the caller does not compute it, and otherwise
 * falls back to one sequential pass at the end when the caller lost track.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { IntegrityError } from '../errors/index.js';
import type { BufferPool } from './buffer-pool.js';
import { digestRange } from './fingerprint.js';
import type { GrowingSource } from './growing-source.js';
import { segmentRange, type SegmentPlan } from './plan.js';
import { readSegment, type Segment } from './segment-reader.js';

export class GrowingSegmentReader {
  readonly #file: FileHandle;
  readonly #plan: SegmentPlan;
  readonly #pool: BufferPool;
  readonly #source: GrowingSource;
  readonly #signal: AbortSignal;
  /** Undefined when the caller computes the whole-file hash (decided when the first segment is read). */
  #whole: Hash | undefined;
  #next = 0;
  #turn: Promise<unknown> = Promise.resolve();
  bytesRead = 0;
  /** Segments whose checksum was computed here (the caller had none for them). */
  segmentsHashed = 0;

  constructor(file: FileHandle, plan: SegmentPlan, pool: BufferPool, source: GrowingSource, signal: AbortSignal) {
    this.#file = file;
    this.#plan = plan;
    this.#pool = pool;
    this.#source = source;
    this.#signal = signal;
  }

  next(signal?: AbortSignal): Promise<Segment | undefined> {
    const run = this.#turn.then(async () => {
      if (this.#next >= this.#plan.chunks) return undefined;
      const index = this.#next;
      const { start, length } = segmentRange(this.#plan, index);
      const waitSignal = signal ?? this.#signal;
      waitSignal.throwIfAborted(); // a worker queued behind one that just failed
      await this.#source.waitFor(start + length, waitSignal);
      if (index === 0 && (this.#source.wholeSha256 === undefined || this.#source.tracksWhole?.() === false)) this.#whole = createHash('sha256');
      this.#next++;
      const segment = await this.#read(index, this.#source.knownChecksum?.(index, start, length), signal);
      this.#whole?.update(segment.data);
      return segment;
    });
    this.#turn = run.catch(() => undefined);
    return run;
  }

  async reread(index: number, expected: string, signal?: AbortSignal): Promise<Segment> {
    const segment = await this.#read(index, undefined, signal);
    if (segment.checksum !== expected) {
      segment.release();
      throw new IntegrityError('integrity.file_changed', `Segment ${index} of the file reads differently now than when it was first sent; nothing was completed.`);
    }
    return segment;
  }

  async wholeFileSha256(): Promise<string> {
    if (this.#next < this.#plan.chunks) throw new Error('wholeFileSha256 called before every segment was read');
    if (this.#whole !== undefined) return this.#whole.digest('hex');
    const given = this.#source.wholeSha256?.();
    if (given !== undefined) return given;
    // The caller lost track of the order (a restart mid-file): one more pass, in order.
    return (await digestRange(this.#file, 0, this.#plan.totalSize, this.#signal)).slice('sha256:'.length);
  }

  async #read(index: number, known: string | undefined, signal?: AbortSignal): Promise<Segment> {
    const segment = await readSegment(this.#file, this.#plan, this.#pool, index, {
      signal,
      known,
      ended: (at) => `The file ended at byte ${at} while reading segment ${index}, although it was said to be there.`,
    });
    this.bytesRead += segment.data.length;
    if (known === undefined) this.segmentsHashed++;
    return segment;
  }
}
