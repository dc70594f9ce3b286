/**
 * A pass-through that hashes a checksummed chunk's bytes on their way to disk and fails the
 * pipeline with TooLarge once more than `limit` bytes came (a chunk longer than the upload's
 * rest). The creation's temporary spool uses it; the in-place append (checksum-append.ts) hashes
 * in its 'data' handler and shares the TooLarge signal.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class TooLarge extends Error {}

export class HashingLimiter extends Transform {
  readonly hash;
  size = 0;
  constructor(
    algorithm: string,
    private readonly limit: number,
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
    callback(null, chunk);
  }
}
