/**
 * A clock for unit tests whose sleeps complete at once and move virtual time forward by the
 * requested amount, recording each wait. Deterministic and never waits in real time. Subclasses
 * (ManualClock) change only how a sleep waits.
 */
import type { Clock } from '../../src/http/clock.js';

export class VirtualClock implements Clock {
  /** Every sleep requested, in order (ms). */
  slept: number[] = [];
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.slept.push(ms);
    return this.wait(ms, signal);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  /** How a sleep passes: here, at once, moving time forward. */
  protected wait(ms: number, _signal?: AbortSignal): Promise<void> {
    this.t += Math.max(0, ms);
    return Promise.resolve();
  }
}

/** A deterministic source of "random" numbers cycling through `values`. */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}
