/**
 * Limits on new intakes, checked before an upload is created (and before its body is read):
 *
 *   - a creation rate per API key (per client address without keys): a token bucket of
 *     `perMinute` tokens refilled evenly; an empty bucket is 429 with Retry-After;
 *   - unfinished intakes at once (`maxIntakes`): 429 with Retry-After;
 *   - space: the bytes every unfinished intake may still write, plus the new upload's size, plus
 *     a margin, must fit in the spool disk's free space: 507 Insufficient Storage otherwise.
 */
import { statfs } from 'node:fs/promises';
import { IntakeRefusal } from './metadata.js';

export interface IntakeLimitOptions {
  perMinute: number;
  maxIntakes: number;
  minFreeSpace: number;
  spoolDir: string;
  now: () => number;
  /** Unfinished intakes now, and the bytes they may still write. */
  load(): { count: number; pendingBytes: number };
}

/** A refusal that also tells the client when to try again. */
export class RetryLater extends IntakeRefusal {
  readonly retryAfterSeconds: number;
  constructor(status: number, message: string, retryAfterSeconds: number) {
    super(status, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const MAX_BUCKETS = 10_000;

export class IntakeLimiter {
  readonly #o: IntakeLimitOptions;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: IntakeLimitOptions) {
    this.#o = options;
  }

  /** Takes one creation token of `client`; throws a RetryLater (429) when there is none. */
  take(client: string): void {
    const now = this.#o.now();
    const perMs = this.#o.perMinute / 60_000;
    const bucket = this.#buckets.get(client) ?? { tokens: this.#o.perMinute, at: now };
    bucket.tokens = Math.min(this.#o.perMinute, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(client, bucket);
      const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      throw new RetryLater(429, `Too many uploads created: at most ${this.#o.perMinute} a minute. Try again in ${wait} s.`, wait);
    }
    bucket.tokens -= 1;
    this.#buckets.delete(client); // re-inserted last: the map stays in least-recently-used order
    this.#buckets.set(client, bucket);
    if (this.#buckets.size > MAX_BUCKETS) this.#buckets.delete(this.#buckets.keys().next().value!);
  }

  /** Throws a RetryLater (429) or an IntakeRefusal (507) when an upload of `size` bytes cannot be taken now. */
  async admit(size: number): Promise<void> {
    const load = this.#o.load();
    if (load.count >= this.#o.maxIntakes) {
      throw new RetryLater(429, `The service is receiving ${load.count} uploads, its maximum; try again later.`, 30);
    }
    const fs = await statfs(this.#o.spoolDir);
    const free = fs.bavail * fs.bsize;
    const needed = load.pendingBytes + size + this.#o.minFreeSpace;
    if (needed > free) {
      throw new IntakeRefusal(507, `Not enough space for an upload of ${size} bytes now; try a smaller file or later.`);
    }
  }
}
