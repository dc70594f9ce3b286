/**
 * The whole file's SHA-256 of each open upload, computed in the background, in index order, as
 * its segments are stored: completing a 1 GiB upload whose segments arrived in order (a client
 * that relays a file while it receives it) then hashes only what is left, instead of reading every
 * byte again after the client's last PUT. The answer is the same either way: at completion the
 * running digest is used only when every segment it covered is still the stored one; a segment
 * replaced after it was hashed, a read that failed, or an emulator restart means hashing from the
 * start, as before.
 */
import { createHash, type Hash } from 'node:crypto';
import { hashFilesInto } from './hashing.js';
import type { StoredSegment, Upload } from './uploads.js';

interface Running {
  hash: Hash;
  /** The stored checksum of each segment hashed so far, by index (0..covered.length-1). */
  covered: string[];
  stale: boolean;
  /** The background work; never rejects. */
  work: Promise<void>;
}

export class InOrderHashes {
  readonly #running = new Map<string, Running>();
  readonly #path: (uploadId: string, segment: StoredSegment) => string;
  readonly #closing: AbortSignal;

  constructor(path: (uploadId: string, segment: StoredSegment) => string, closing: AbortSignal) {
    this.#path = path;
    this.#closing = closing;
  }

  /**
   * A segment of `upload` was stored: hash onwards from where the digest stopped, if it can go on.
   * Resolves (never rejects) when the digest has caught up; a route need not wait for it.
   */
  stored(upload: Upload, segment: StoredSegment): Promise<void> {
    const id = upload.meta.uploadId;
    let running = this.#running.get(id);
    if (running === undefined) {
      if (segment.index !== 0) return Promise.resolve(); // nothing to do until the first segment is there
      running = { hash: createHash('sha256'), covered: [], stale: false, work: Promise.resolve() };
      this.#running.set(id, running);
    }
    const r = running;
    if (segment.index < r.covered.length && r.covered[segment.index] !== segment.sha256) r.stale = true;
    r.work = r.work.then(() => this.#advance(upload, r));
    return r.work;
  }

  async #advance(upload: Upload, r: Running): Promise<void> {
    for (;;) {
      if (r.stale || this.#closing.aborted) return;
      const segment = upload.segments.get(r.covered.length);
      if (segment === undefined) return;
      try {
        await hashFilesInto(r.hash, [this.#path(upload.meta.uploadId, segment)], this.#closing);
      } catch {
        r.stale = true; // replaced (its file renamed away) or closing: completion hashes anew
        return;
      }
      r.covered.push(segment.sha256);
    }
  }

  /** At completion, under the upload's lock: the SHA-256 (hex) of `segments` (every one, in order). */
  async digest(upload: Upload, segments: StoredSegment[]): Promise<string> {
    const id = upload.meta.uploadId;
    const r = this.#running.get(id);
    this.#running.delete(id);
    let hash = createHash('sha256');
    let from = 0;
    if (r !== undefined) {
      await r.work;
      const same = !r.stale && r.covered.length <= segments.length && r.covered.every((sha, i) => segments[i]?.sha256 === sha);
      if (same) {
        hash = r.hash;
        from = r.covered.length;
      }
    }
    await hashFilesInto(hash, segments.slice(from).map((s) => this.#path(id, s)), this.#closing);
    return hash.digest('hex');
  }

  /** The upload was aborted: its digest is of no use. */
  forget(uploadId: string): void {
    this.#running.delete(uploadId);
  }
}
