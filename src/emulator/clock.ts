/**
 * The emulator's clock: wall time plus an offset that only moves forward. Token and URL expiry and
 * the rate-limit windows read it, so tests can jump hours ahead with advanceClock() instead of
 * waiting. Stalls use real timers on purpose: they simulate a slow network, not the passing of time.
 */
export class Clock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`advanceClock: ms must be a finite number >= 0 (got ${String(ms)})`);
    }
    this.#offsetMs += ms;
    return this.now();
  }
}
