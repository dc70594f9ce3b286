/**
 * A pass-through that hashes a checksummed chunk's bytes on their way to disk and fails the
 * pipeline with TooLarge once more than `limit` bytes came (a chunk longer than the upload's
 * rest). Shared by the in-place append and the creation's temporary spool.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class TooLarge extends Error {}

export class HashingLimiter extends Transform {
  readonly hash;
  size = 0;
  constructor(
    algorithm: string,
    private readonly limit: number,
    /** Also fed every byte: the upload's whole-file hash, in order (relay-stream/spool-progress.ts). */
    readonly whole?: Hash,
  ) {
    super();
    this.hash = createHash(algorithm);
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      callback(new TooLarge());
      return;
    }
    this.hash.update(chunk);
    this.whole?.update(chunk);
    callback(null, chunk);
  }
}
