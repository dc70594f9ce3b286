/**
 * The job runner's writes to the job store, which may fail (locked by another process, full or
 * read-only disk) without any failure escaping a relay or a timer. A progress write is skipped; a
 * state change (delivered, failed, the message id) is kept in memory, merged with later ones for
 * the same job, and written again in the background until it succeeds; until then /readyz says
 * the store is failing (`pendingCount`).
 */
import type { Logger } from 'pino';
import type { Job, JobState } from './job.js';
import type { JobPatch, JobStore } from './job-store.js';

export const RETRY_MIN_MS = 250;
export const RETRY_MAX_MS = 5000;

export class StateWrites {
  readonly #store: JobStore;
  readonly #logger: Logger;
  /** State changes the store refused, by job, merged; retried until written. */
  readonly #pending = new Map<string, { patch: JobPatch; from: readonly JobState[] | undefined }>();
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = RETRY_MIN_MS;
  #closed = false;

  constructor(store: JobStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /** State changes not yet written to the store (it is failing). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Writes a state change; when the store refuses it, keeps it (merged with earlier ones for the
   * same job) and retries in the background. Never throws. Returns the job when written now.
   */
  persist(id: string, patch: JobPatch, from?: readonly JobState[]): Job | undefined {
    const waiting = this.#pending.get(id);
    const merged = waiting === undefined ? { patch, from } : { patch: { ...waiting.patch, ...patch }, from: waiting.from ?? from };
    try {
      const job = this.#store.update(id, merged.patch, merged.from);
      this.#pending.delete(id);
      return job;
    } catch (error) {
      this.#pending.set(id, merged);
      this.#logger.error({ job: id, step: 'state-write-failed', err: String(error) }, 'could not record a job state change; retrying in the background');
      this.#scheduleRetry();
      return undefined;
    }
  }

  /** A best-effort write (progress): skipped when the store fails. */
  tryUpdate(id: string, patch: JobPatch): void {
    try {
      this.#store.update(id, patch);
    } catch (error) {
      this.#logger.warn({ job: id, step: 'progress-write-failed', err: String(error) }, 'could not record job progress');
    }
  }

  /** Stops the background retries, writes what it can one last time and logs what stays unsaved. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#flushPending();
    for (const id of this.#pending.keys()) {
      this.#logger.error({ job: id, step: 'state-unsaved' }, 'stopping with a job state change the store refused; the next start re-runs the job (the journal prevents a second message)');
    }
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined || this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#flushPending()) {
        this.#retryDelayMs = RETRY_MIN_MS;
      } else {
        this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, RETRY_MAX_MS);
        this.#scheduleRetry();
      }
    }, this.#retryDelayMs);
    this.#retryTimer.unref();
  }

  /** Writes what is pending; true when nothing is left. */
  #flushPending(): boolean {
    for (const [id, { patch, from }] of [...this.#pending]) {
      try {
        this.#store.update(id, patch, from);
        this.#pending.delete(id);
        this.#logger.info({ job: id, step: 'state-written' }, 'job state change recorded after a store failure');
      } catch {
        return false;
      }
    }
    return true;
  }
}
