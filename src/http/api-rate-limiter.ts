/**
 * Keeps API calls within the per-token limit (Genesys: 300 requests per 60 s per access token) with
 * a sliding window of request start times, so the client waits a little instead of collecting 429s.
 * A new token starts a new window (the server counts per token). When a response's
 * `inin-ratelimit-*` headers say the window is used up, calls wait until it resets.
 */
import type { Clock } from './clock.js';

export interface ApiRateLimiterOptions {
  /** Requests per window; default 300. */
  limit?: number;
  /** Window length; default 60 s. */
  windowMs?: number;
  clock: Clock;
}

export class ApiRateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: Clock;
  #key: string | undefined;
  #starts: number[] = [];
  #blockedUntil = 0;

  constructor(options: ApiRateLimiterOptions) {
    this.#limit = options.limit ?? 300;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#clock = options.clock;
    if (!Number.isInteger(this.#limit) || this.#limit < 1) throw new RangeError(`apiRatePerMinute must be an integer >= 1; got ${this.#limit}`);
  }

  /** Waits until a request for the token identified by `key` may start, and records it. */
  async acquire(key: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (key !== this.#key) {
        this.#key = key;
        this.#starts = [];
        this.#blockedUntil = 0;
      }
      const now = this.#clock.now();
      while (this.#starts.length > 0 && (this.#starts[0] ?? now) <= now - this.#windowMs) this.#starts.shift();
      let waitUntil = this.#blockedUntil;
      if (this.#starts.length >= this.#limit) waitUntil = Math.max(waitUntil, (this.#starts[0] ?? now) + this.#windowMs);
      if (waitUntil <= now) {
        this.#starts.push(now);
        return;
      }
      await this.#clock.sleep(waitUntil - now, signal);
    }
  }

  /** Reads `inin-ratelimit-count/allowed/reset` from a response for the token `key`. */
  observe(key: string, headers: Record<string, string | string[] | undefined>): void {
    if (key !== this.#key) return;
    const num = (name: string): number | undefined => {
      const raw = headers[name];
      const value = Number(Array.isArray(raw) ? raw[0] : raw);
      return raw === undefined || !Number.isFinite(value) ? undefined : value;
    };
    const count = num('inin-ratelimit-count');
    const allowed = num('inin-ratelimit-allowed');
    const reset = num('inin-ratelimit-reset');
    if (count === undefined || allowed === undefined || reset === undefined) return;
    if (count >= allowed && reset > 0 && reset <= 3600) {
      this.#blockedUntil = Math.max(this.#blockedUntil, this.#clock.now() + reset * 1000);
    }
  }
}
