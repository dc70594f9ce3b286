/**
 * One congestion controller per upload for the storage host (AIMD, as TCP does it): a SlowDown
 * anywhere halves the request rate and the in-flight limit for all workers at once
 * (multiplicative decrease); every stored segment raises them a little (additive increase: about
 * +1 in-flight per window of successes and about +1 request/s per second of traffic). Without it,
 * each worker would keep hammering on its own and SlowDowns would multiply.
 *
 * A decrease happens at most once per congestion event: only a request that started after the
 * last decrease can trigger the next one (the replies of requests already in the air when the
 * rate dropped say nothing about the new rate). A SlowDown's Retry-After pauses every worker.
 */
import type { Clock } from './clock.js';

export interface AimdOptions {
  /** The configured concurrency: the in-flight limit starts and recovers up to here. */
  maxInFlight: number;
  /** Hard cap on request starts per second; undefined = no cap until a SlowDown sets one. */
  maxRps?: number | undefined;
  /** The rate never goes below this (requests per second). Default 0.5. */
  minRps?: number;
  clock: Clock;
  /** Called when the integer in-flight limit or the rounded rate changes. */
  onAdjust?: (state: AimdState) => void;
}

export interface AimdState {
  inFlightLimit: number;
  /** null: not limited. */
  requestsPerSecond: number | null;
}

/** Proof of a started request, handed back on completion. */
export interface AimdTicket {
  startedAt: number;
}

/** How far back request starts are counted to estimate the current rate. */
const RATE_WINDOW_MS = 1000;

export class AimdController {
  readonly #options: AimdOptions;
  readonly #minRps: number;
  #limit: number;
  #rps: number | undefined;
  /** Rate at the last decrease: once recovered past it (with no hard cap), pacing is switched off. */
  #ceilingRps: number | undefined;
  #inFlight = 0;
  #nextStartAt = 0;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  readonly #recentStarts: number[] = [];
  readonly #waiters = new Set<() => void>();
  #reported: string;

  constructor(options: AimdOptions) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be an integer >= 1; got ${options.maxInFlight}`);
    }
    if (options.maxRps !== undefined && !(options.maxRps > 0)) {
      throw new RangeError(`maxRps must be > 0; got ${options.maxRps}`);
    }
    this.#options = options;
    this.#minRps = options.minRps ?? 0.5;
    this.#limit = options.maxInFlight;
    this.#rps = options.maxRps;
    this.#reported = this.#key();
  }

  get state(): AimdState {
    return {
      inFlightLimit: Math.floor(this.#limit),
      requestsPerSecond: this.#rps === undefined ? null : Math.round(this.#rps * 10) / 10,
    };
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Waits for an in-flight slot, then for the pacing interval. Call `release` exactly once after. */
  async acquire(signal?: AbortSignal): Promise<AimdTicket> {
    while (this.#inFlight >= Math.floor(this.#limit)) await this.#waitForSlot(signal);
    this.#inFlight++;
    try {
      const clock = this.#options.clock;
      let now = clock.now();
      if (this.#rps !== undefined) {
        const at = Math.max(now, this.#nextStartAt);
        this.#nextStartAt = at + 1000 / this.#rps;
        if (at > now) await clock.sleep(at - now, signal);
        now = clock.now();
      }
      this.#recentStarts.push(now);
      while (this.#recentStarts.length > 0 && (this.#recentStarts[0] ?? now) < now - RATE_WINDOW_MS) this.#recentStarts.shift();
      return { startedAt: now };
    } catch (error) {
      this.release();
      throw error;
    }
  }

  release(): void {
    this.#inFlight--;
    this.#wake();
  }

  /** A request succeeded: additive increase. */
  onSuccess(): void {
    const cap = this.#options.maxInFlight;
    if (this.#limit < cap) this.#limit = Math.min(cap, this.#limit + 1 / Math.floor(this.#limit));
    if (this.#rps !== undefined) {
      const next = this.#rps + 1 / Math.max(1, this.#rps);
      if (this.#options.maxRps !== undefined) this.#rps = Math.min(this.#options.maxRps, next);
      else if (this.#ceilingRps !== undefined && next > this.#ceilingRps) this.#rps = undefined;
      else this.#rps = next;
    }
    this.#report();
    this.#wake();
  }

  /**
   * The storage said SlowDown to a request started at `ticket.startedAt`: multiplicative decrease,
   * and no request of this upload starts before `pauseMs` (the server's Retry-After) has passed —
   * the storage told us when to come back, so no worker should ask again sooner.
   */
  onSlowDown(ticket: AimdTicket, pauseMs = 0): void {
    const now = this.#options.clock.now();
    this.#nextStartAt = Math.max(this.#nextStartAt, now + pauseMs);
    if (ticket.startedAt <= this.#lastDecreaseAt) return;
    this.#lastDecreaseAt = now;
    const observed = this.#recentStarts.filter((t) => t >= now - RATE_WINDOW_MS).length;
    const current = this.#rps ?? Math.max(observed, this.#minRps * 2);
    if (this.#options.maxRps === undefined && this.#rps === undefined) this.#ceilingRps = current;
    this.#rps = Math.max(this.#minRps, current / 2);
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#nextStartAt = Math.max(this.#nextStartAt, now + 1000 / this.#rps);
    this.#report();
  }

  #key(): string {
    const s = this.state;
    return `${s.inFlightLimit}/${s.requestsPerSecond === null ? '-' : Math.round(s.requestsPerSecond)}`;
  }

  #report(): void {
    const key = this.#key();
    if (key === this.#reported) return;
    this.#reported = key;
    this.#options.onAdjust?.(this.state);
  }

  #wake(): void {
    // Woken waiters re-check the limit themselves (their increment happens after this returns).
    let free = Math.floor(this.#limit) - this.#inFlight;
    for (const waiter of this.#waiters) {
      if (free-- <= 0) break;
      this.#waiters.delete(waiter);
      waiter();
    }
  }

  #waitForSlot(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters.delete(wake);
        reject(signal?.reason);
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
