/**
 * The intake's progress of each receiving job in the job store, written at most once per
 * PROGRESS_INTERVAL_MS per job (each write is a database update and an event to every follower of
 * the job), and always when final (the intake is complete). Best effort: when the store fails,
 * progress writes pause for a second (each one could block the event loop for the busy timeout)
 * and a later chunk records the offset again.
 */
import type { Logger } from 'pino';

export const PROGRESS_INTERVAL_MS = 1000;

export class ProgressWrites {
  readonly #write: (id: string, offset: number) => void;
  readonly #logger: Logger;
  #pausedUntil = 0;
  /** When each receiving job's progress was last written (epoch ms). */
  readonly #writtenAt = new Map<string, number>();

  constructor(write: (id: string, offset: number) => void, logger: Logger) {
    this.#write = write;
    this.#logger = logger;
  }

  record(id: string, offset: number, final: boolean): void {
    const now = Date.now();
    if (now < this.#pausedUntil) return;
    const last = this.#writtenAt.get(id);
    if (!final && last !== undefined && now - last < PROGRESS_INTERVAL_MS) return;
    try {
      this.#write(id, offset);
      if (final) this.#writtenAt.delete(id);
      else this.#writtenAt.set(id, now);
    } catch (error) {
      this.#pausedUntil = now + 1000;
      this.#logger.warn({ job: id, step: 'intake-progress', err: String(error) }, 'could not record intake progress');
    }
  }

  /** The job's intake ended (terminated, expired, removed). */
  forget(id: string): void {
    this.#writtenAt.delete(id);
  }
}
