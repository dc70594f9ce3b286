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

  refresh(version: number, signal: AbortSignal): Promise<void> {
    if (version < this.version) return Promise.resolve();
    this.#running ??= this.#renew(signal).finally(() => {
      this.version++;
      this.#running = undefined;
    });
    return this.#running;
  }
}
