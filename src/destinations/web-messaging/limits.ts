/**
 * The guest API's client-side limits, honoured from the first request rather than learned from
 * TooManyRequests answers (WEB-MESSAGING.md §1): at most 60 requests per connection in any 60 s
 * (every action counts), and at most 2 `onMessage` per session in any second. A sliding window of
 * start times per limit; waiting uses the injected clock.
 */
import type { Clock } from '../../http/clock.js';

export interface WindowLimit {
  max: number;
  windowMs: number;
}

export const REQUESTS_PER_CONNECTION: WindowLimit = Object.freeze({ max: 60, windowMs: 60_000 });
export const MESSAGES_PER_SESSION: WindowLimit = Object.freeze({ max: 2, windowMs: 1_000 });

/** A sliding window: `acquire` waits until one more start fits, then records it. */
export class SlidingWindow {
  private starts: number[] = [];
  constructor(
    private readonly limit: WindowLimit,
    private readonly clock: Clock,
  ) {}

  /** How long until one more start fits (0 when it fits now). Pure apart from dropping old starts. */
  waitMs(): number {
    const now = this.clock.now();
    this.starts = this.starts.filter((t) => now - t < this.limit.windowMs);
    if (this.starts.length < this.limit.max) return 0;
    const oldest = this.starts[this.starts.length - this.limit.max] ?? now;
    return Math.max(1, oldest + this.limit.windowMs - now);
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (let wait = this.waitMs(); wait > 0; wait = this.waitMs()) await this.clock.sleep(wait, signal);
    this.starts.push(this.clock.now());
  }

  /** A new connection starts with an empty window (the per-connection limit). */
  reset(): void {
    this.starts = [];
  }

  get used(): number {
    return this.starts.length;
  }
}
