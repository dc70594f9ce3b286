/**
 * The generation counter of a session's part URLs. Parts that meet an expired URL call `refresh`
 * with the generation they used; the first one runs the refresh, the others wait for it, and a
 * part that arrives after it (an older generation) simply gets the new one.
 */
export class UrlGeneration {
  version = 1;
  #running: Promise<void> | undefined;
  readonly #renew: (signal: AbortSignal) => Promise<void>;

  constructor(renew: (signal: AbortSignal) => Promise<void>) {
    this.#renew = renew;
  }

  /** True for the one caller that ran the refresh (the one to report it), false for the others. */
  async refresh(version: number, signal: AbortSignal): Promise<boolean> {
    if (version < this.version) return false;
    if (this.#running !== undefined) {
      await this.#running;
      return false;
    }
    this.#running = this.#renew(signal).finally(() => {
      this.version++;
      this.#running = undefined;
    });
    await this.#running;
    return true;
  }
}
