/**
 * A fixed set of segment buffers, allocated lazily up to `count` and reused for the whole upload,
 * so memory is count × size whatever the file size. allocUnsafeSlow: each buffer is its own
 * allocation (not carved from Node's shared slab) and is overwritten by a read before any use.
 */
export class BufferPool {
  readonly #count: number;
  readonly #size: number;
  readonly #free: Buffer[] = [];
  readonly #waiters: Array<(buffer: Buffer) => void> = [];
  #allocated = 0;

  constructor(count: number, size: number) {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`buffer count must be >= 1; got ${count}`);
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`buffer size must be >= 1; got ${size}`);
    this.#count = count;
    this.#size = size;
  }

  /** Bytes allocated so far. */
  get allocatedBytes(): number {
    return this.#allocated * this.#size;
  }

  acquire(signal?: AbortSignal): Promise<Buffer> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const free = this.#free.pop();
    if (free !== undefined) return Promise.resolve(free);
    if (this.#allocated < this.#count) {
      this.#allocated++;
      return Promise.resolve(Buffer.allocUnsafeSlow(this.#size));
    }
    return new Promise<Buffer>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(take);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(signal?.reason);
      };
      const take = (buffer: Buffer): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(buffer);
      };
      this.#waiters.push(take);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(buffer: Buffer): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(buffer);
    else this.#free.push(buffer);
  }
}
