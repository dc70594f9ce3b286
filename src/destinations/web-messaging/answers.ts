/**
 * Requests waiting for their answers on the guest socket (WEB-MESSAGING.md §1): an answer is
 * matched by the `tracingId` the request carried, or, when a server leaves it out (real ones do),
 * by the kind of answer its one waiting request accepts. Each wait ends with the answer, its
 * timeout (on the injected clock), the caller's abort, or the connection's end.
 */
import { InterruptedError, type UploadError } from '../../errors/index.js';
import type { Clock } from '../../http/clock.js';
import type { Frame } from './frames.js';

interface Pending {
  accepts: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
  reject: (error: unknown) => void;
}

export interface WaitOptions {
  /** The kinds of answer this request takes when the answer comes without its tracingId. */
  accepts: (frame: Frame) => boolean;
  clock: Clock;
  timeoutMs: number;
  /** The error when no answer comes within timeoutMs. */
  timeoutError: () => UploadError;
  signal?: AbortSignal | undefined;
}

export class PendingAnswers {
  private readonly pending = new Map<string, Pending>();

  /** Waits for the answer to the request sent with `tracingId`. */
  wait(tracingId: string, options: WaitOptions): Promise<Frame> {
    const timer = new AbortController();
    const { signal } = options;
    return new Promise<Frame>((resolve, reject) => {
      const done = (): void => {
        timer.abort();
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(tracingId);
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason ?? new InterruptedError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(tracingId, {
        accepts: options.accepts,
        resolve: (frame) => {
          done();
          resolve(frame);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      options.clock
        .sleep(options.timeoutMs, timer.signal)
        .then(() => this.fail(tracingId, options.timeoutError()))
        .catch(() => undefined);
    });
  }

  /** Ends the wait for `tracingId`, if it still runs, with `error`. */
  fail(tracingId: string, error: unknown): void {
    this.pending.get(tracingId)?.reject(error);
  }

  /** Ends every wait with `error` (the connection dropped: the requests may or may not have been processed). */
  failAll(error: unknown): void {
    for (const pending of [...this.pending.values()]) pending.reject(error);
    this.pending.clear();
  }

  /** Hands an incoming frame to the request waiting for it; false when none is. */
  settle(frame: Frame): boolean {
    const byId = frame.tracingId === undefined ? undefined : this.pending.get(frame.tracingId);
    if (byId !== undefined) {
      byId.resolve(frame);
      return true;
    }
    if (frame.tracingId !== undefined || frame.class === 'UploadFailureEvent' || frame.class === 'UploadSuccessEvent') return false;
    // An answer without our tracingId belongs to the one request waiting for that kind of answer.
    // This client sends one request at a time, so there is at most one.
    const waiting = [...this.pending.values()].filter((p) => p.accepts(frame));
    if (waiting.length !== 1 || waiting[0] === undefined) return false;
    waiting[0].resolve(frame);
    return true;
  }
}
