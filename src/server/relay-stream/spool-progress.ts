/**
 * What the relay of one upload learns from its intake while the bytes arrive: how far the spool
 * file holds verified bytes (the engine waits on it), the SHA-256 of each client chunk that covers
 * exactly one destination part (the engine then does not hash that part again), and the whole
 * file's SHA-256 fed in order by the intake (tus appends in order). The whole-file hash stays
 * valid only while every byte from 0 went through it: a chunk the intake did not hash (no
 * Upload-Checksum, another algorithm, a creation's body) ends it, and the engine hashes the file
 * itself at the end.
 */
import { createHash, type Hash } from 'node:crypto';

export class SpoolProgress {
  readonly #size: number;
  readonly #partSize: number;
  #available: number;
  #failed: unknown;
  readonly #waiters: Array<{ end: number; resolve: () => void; reject: (error: unknown) => void }> = [];
  readonly #known = new Map<number, string>();
  /** In-order whole-file hash and the offset it reached; undefined once it lost track. */
  #whole: { hash: Hash; offset: number } | undefined;

  /** `available`: verified bytes already in the spool (0 for a new upload). */
  constructor(size: number, partSize: number, available: number) {
    this.#size = size;
    this.#partSize = partSize;
    this.#available = available;
    this.#whole = available === 0 ? { hash: createHash('sha256'), offset: 0 } : undefined;
  }

  get partSize(): number {
    return this.#partSize;
  }

  /** The intake holds `offset` verified bytes. */
  advanced(offset: number): void {
    if (offset <= this.#available) return;
    this.#available = offset;
    // Bytes that arrived without passing through the whole-file hash.
    if (this.#whole !== undefined && this.#whole.offset < offset) this.#whole = undefined;
    for (const waiter of this.#waiters.splice(0)) {
      if (waiter.end <= offset) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }

  /** The intake stopped for good (terminated, expired, service stopping): every waiter fails. */
  fail(error: unknown): void {
    this.#failed = error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  waitFor(end: number, signal: AbortSignal): Promise<void> {
    if (end <= this.#available) return Promise.resolve();
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        end,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** A copy of the whole-file hash to feed a chunk starting at `offset`, when it is in order. */
  wholeHashAt(offset: number): Hash | undefined {
    return this.#whole !== undefined && this.#whole.offset === offset ? this.#whole.hash.copy() : undefined;
  }

  /**
   * A checksummed chunk [offset, offset + size) was verified (before the intake's offset moves).
   * Returns whether it covers exactly one part (aligned); `whole`: the hash copy it fed.
   */
  chunkVerified(offset: number, size: number, algorithm: string, hex: string, whole: Hash | undefined): boolean {
    if (whole !== undefined && this.#whole !== undefined && this.#whole.offset === offset) this.#whole = { hash: whole, offset: offset + size };
    const index = offset / this.#partSize;
    const partLength = Math.min(this.#partSize, this.#size - offset);
    const aligned = Number.isInteger(index) && size === partLength && algorithm === 'sha256';
    if (aligned) this.#known.set(index, `sha256:${hex}`);
    return aligned;
  }

  knownChecksum(index: number, start: number, length: number): string | undefined {
    const known = this.#known.get(index);
    this.#known.delete(index); // asked once, when the part is read
    return known !== undefined && start === index * this.#partSize && length === Math.min(this.#partSize, this.#size - start) ? known : undefined;
  }

  /** Whether the whole-file hash has seen every verified byte so far. */
  tracksWhole(): boolean {
    return this.#whole !== undefined;
  }

  /** The whole file's SHA-256 when every byte went through the intake's hash in order. */
  wholeSha256(): string | undefined {
    return this.#whole !== undefined && this.#whole.offset === this.#size ? this.#whole.hash.digest('hex') : undefined;
  }
}
