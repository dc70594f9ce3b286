/**
 * A clock whose sleeps wait until the test moves time forward, so keep-alive, reconnect delays,
 * answer timeouts and retryAfter waits are tested without real waiting. `nextSleep` lets a test
 * wait until the code under test has started a sleep of a given length. Time and the record of
 * sleeps (`slept`) are VirtualClock's; only the waiting differs.
 */
import { VirtualClock } from '../../unit/virtual-clock.js';

interface Sleeper {
  until: number;
  ms: number;
  resolve: () => void;
}

export class ManualClock extends VirtualClock {
  private sleepers: Sleeper[] = [];

  protected override wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        until: this.t + Math.max(0, ms),
        ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Moves time forward, waking every sleep that ends by then. */
  override advance(ms: number): void {
    super.advance(ms);
    const due = this.sleepers.filter((s) => s.until <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.until > this.t);
    for (const sleeper of due) sleeper.resolve();
  }
  pending(): number[] {
    return this.sleepers.map((s) => s.ms);
  }

  /** Resolves once a sleep of exactly `ms` is pending (polls the event loop; real time ≤ 5 s). */
  async nextSleep(ms: number): Promise<void> {
    const started = Date.now();
    while (!this.sleepers.some((s) => s.ms === ms)) {
      if (Date.now() - started > 5_000) throw new Error(`no sleep of ${ms} ms started; pending: ${this.pending().join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}
