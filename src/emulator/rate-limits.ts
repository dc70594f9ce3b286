/**
 * Fixed-window request counters (PROTOCOL.md section 8). The API limit is keyed by access token,
 * the storage limit by upload id with a one-second window. Time comes from the emulator clock,
 * so advancing the clock also ends a window.
 */

export interface WindowView {
  /** Requests counted in the current window, this one included. */
  count: number;
  allowed: number;
  /** Whole seconds until the window resets (at least 1). */
  resetSeconds: number;
  limited: boolean;
}

interface Window {
  start: number;
  count: number;
}

const PRUNE_ABOVE = 10_000;

export class FixedWindowLimiter {
  #windows = new Map<string, Window>();

  /** Counts one request for `key` and says whether it is over the limit. */
  hit(key: string, now: number, allowed: number, windowSeconds: number): WindowView {
    const window = this.#current(key, now, windowSeconds, true);
    window.count += 1;
    return this.#view(window, now, allowed, windowSeconds);
  }

  /** The window as it stands, without counting a request (for headers on uncounted answers). */
  peek(key: string, now: number, allowed: number, windowSeconds: number): WindowView {
    const window = this.#current(key, now, windowSeconds, false);
    return this.#view(window, now, allowed, windowSeconds);
  }

  #current(key: string, now: number, windowSeconds: number, create: boolean): Window {
    const existing = this.#windows.get(key);
    if (existing && now < existing.start + windowSeconds * 1000) return existing;
    const fresh = { start: now, count: 0 };
    if (!create) return fresh;
    if (this.#windows.size >= PRUNE_ABOVE) this.#prune(now, windowSeconds);
    this.#windows.set(key, fresh);
    return fresh;
  }

  #view(window: Window, now: number, allowed: number, windowSeconds: number): WindowView {
    const resetSeconds = Math.max(1, Math.ceil((window.start + windowSeconds * 1000 - now) / 1000));
    return { count: window.count, allowed, resetSeconds, limited: window.count > allowed };
  }

  #prune(now: number, windowSeconds: number): void {
    for (const [key, window] of this.#windows) {
      if (now >= window.start + windowSeconds * 1000) this.#windows.delete(key);
    }
  }
}
