/**
 * The relay queue: at most `maxJobs` jobs relay at once, the rest wait in intake order. Every
 * engine event updates the job record (progress, fileId, messageId) and the metrics, and gives one
 * log line. On start it picks up what a previous process left: jobs that were relaying go back to
 * the queue. On close the running attempts are stopped and their jobs return to the queue too, so
 * a restart continues them.
 *
 * The job store may fail: no such failure escapes a relay or a timer (state-writes.ts); what each
 * engine event records is in relay-events.ts.
 */
import type { Logger } from 'pino';
import { UploadError } from '../../errors/index.js';
import type { ServiceMetrics } from '../metrics.js';
import type { Job, JobError } from './job.js';
import type { JobStore } from './job-store.js';
import { recordRelayEvent } from './relay-events.js';
import { relayJob, type RelayContext } from './relay-job.js';
import type { RelayVias } from './relay-vias.js';
import { RETRY_MAX_MS, StateWrites } from './state-writes.js';

export interface JobRunnerOptions {
  store: JobStore;
  /** Where jobs go (the service's destination). */
  vias: RelayVias;
  metrics: ServiceMetrics;
  logger: Logger;
  /** Job state writes that may fail and are retried (shared with the relay streams). */
  writes: StateWrites;
  maxJobs: number;
  concurrency: number;
  now: () => number;
  /** Where job `id`'s spooled file is. */
  spoolPath(id: string): string;
  /** Removes job `id`'s spooled file (after delivery). */
  removeSpool(id: string): Promise<void>;
  /** Whether job `id`'s spooled file is complete and can be relayed (again). */
  spoolComplete(id: string): Promise<boolean>;
  /** Extra engine options per job (the resume journal, when available). */
  engineOptions?: (job: Job) => RelayContext['engineOptions'];
  /** Waits for an upload already under way for the job (relay while receiving); returns the job as it is then. */
  beforeRelay?: (job: Job, signal: AbortSignal) => Promise<Job>;
  /** Whether job `id`'s upload is under way outside the runner (relay while receiving): it takes no relay slot. */
  slotFree?: (id: string) => boolean;
}

class Shutdown extends Error {
  override readonly name = 'Shutdown';
}

export type RetryResult = { ok: true; job: Job } | { ok: false; reason: 'not-found' | 'conflict'; message: string };

function toJobError(error: unknown): JobError {
  if (error instanceof UploadError) return { kind: error.kind, code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', code: 'internal.unexpected', message: `Unexpected failure: ${message}` };
}

export class JobRunner {
  readonly #o: JobRunnerOptions;
  readonly #queue: string[] = [];
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void>; slot: boolean }>();
  /** Jobs whose next attempt may send the message although an earlier one may have (operator's call). */
  readonly #redeliver = new Set<string>();
  readonly #writes: StateWrites;
  #closed = false;

  constructor(options: JobRunnerOptions) {
    this.#o = options;
    this.#writes = options.writes;
  }

  /** Requeues what a previous process left relaying, then starts the queue. */
  start(): void {
    for (const job of this.#o.store.inState('relaying')) {
      this.#o.store.update(job.id, { state: 'queued' }, ['relaying']);
      this.#o.logger.info({ job: job.id, step: 'requeued-after-restart' }, 'job was relaying when the service stopped: queued again');
    }
    for (const job of this.#o.store.inState('queued')) this.#queue.push(job.id);
    this.#pump();
  }

  get runningCount(): number {
    return this.#running.size;
  }

  /** State changes not yet written to the store (it is failing). */
  get pendingWrites(): number {
    return this.#writes.pendingCount;
  }

  /** Called when an intake completed: the job waits for a relay slot. */
  enqueue(id: string): void {
    const job = this.#o.store.update(id, { state: 'queued', receivedAt: this.#o.now() }, ['receiving']);
    if (job === undefined) return;
    this.#o.logger.info({ job: id, step: 'queued', size: job.size, fileName: job.fileName }, 'intake complete, job queued');
    this.#queue.push(id);
    this.#pump();
  }

  /**
   * POST /api/jobs/:id/retry: only a failed job whose intake is complete. `redeliver` lets the
   * attempt send the message even though an earlier attempt's message may have arrived (the
   * journal refuses that by default: delivery.uncertain).
   */
  async retry(id: string, options: { redeliver?: boolean } = {}): Promise<RetryResult> {
    const job = this.#o.store.get(id);
    if (job === undefined) return { ok: false, reason: 'not-found', message: `No job ${id}.` };
    if (job.state !== 'failed') return { ok: false, reason: 'conflict', message: `Job ${id} is ${job.state}; only failed jobs can be retried.` };
    if (job.receivedAt === undefined || !(await this.#o.spoolComplete(id))) {
      return { ok: false, reason: 'conflict', message: `Job ${id} failed before its file was completely received; upload it again.` };
    }
    const queued = this.#o.store.update(id, { state: 'queued', error: null, finishedAt: null }, ['failed']);
    if (queued === undefined) return { ok: false, reason: 'conflict', message: `Job ${id} changed meanwhile; try again.` };
    if (options.redeliver === true) this.#redeliver.add(id);
    this.#o.logger.info({ job: id, step: 'retry', redeliver: options.redeliver === true }, 'failed job queued again');
    this.#queue.push(id);
    this.#pump();
    return { ok: true, job: queued };
  }

  /** Stops the running attempts (their jobs go back to the queue) and waits for them to settle. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queue.length = 0;
    const running = [...this.#running.values()];
    for (const { controller } of running) controller.abort(new Shutdown('the service is stopping'));
    await Promise.all(running.map(({ done }) => done));
  }

  #pump(): void {
    while (!this.#closed && this.#queue.length > 0) {
      const slots = [...this.#running.values()].filter((running) => running.slot).length;
      const at = slots < this.#o.maxJobs ? 0 : this.#queue.findIndex((queued) => this.#o.slotFree?.(queued) === true);
      if (at < 0) break;
      const id = this.#queue.splice(at, 1)[0]!;
      if (this.#running.has(id)) continue;
      const controller = new AbortController();
      const entry = { controller, done: Promise.resolve(), slot: this.#o.slotFree?.(id) !== true };
      this.#running.set(id, entry);
      entry.done = this.#run(id, controller.signal)
        .catch((error: unknown) => {
          // Only the store can fail here (before the relay started): the job stays queued in the
          // store and runs at the next start; nothing may reject unhandled.
          this.#o.logger.error({ job: id, step: 'start-failed', err: String(error) }, 'could not start the relay; trying again shortly');
          const later = setTimeout(() => {
            if (this.#closed) return;
            this.#queue.push(id);
            this.#pump();
          }, RETRY_MAX_MS);
          later.unref();
        })
        .finally(() => {
          this.#running.delete(id);
          this.#pump();
        });
    }
  }

  async #run(id: string, signal: AbortSignal): Promise<void> {
    const { store, logger, metrics, now } = this.#o;
    const started = now();
    const job = store.update(id, { state: 'relaying', startedAt: started, finishedAt: null, error: null }, ['queued']);
    if (job === undefined) return; // retried twice, or changed state meanwhile
    const attempt = store.update(id, { attempts: job.attempts + 1 })!;
    logger.info({ job: id, step: 'relay-started', attempt: attempt.attempts, size: job.size }, 'relay started');
    const finish = (outcome: 'delivered' | 'failed'): void => {
      const seconds = (now() - started) / 1000;
      metrics.jobDuration.observe({ outcome }, seconds);
      metrics.jobs.inc({ outcome });
    };
    try {
      const ready = this.#o.beforeRelay === undefined ? attempt : await this.#o.beforeRelay(attempt, signal);
      const result = await relayJob({
        vias: this.#o.vias,
        job: ready,
        filePath: this.#o.spoolPath(id),
        concurrency: this.#o.concurrency,
        signal,
        onEvent: (event) => recordRelayEvent({ writes: this.#writes, metrics, logger }, id, event),
        onDetails: (details) => this.#writes.persist(id, { details }),
        engineOptions: this.#engineOptions(ready),
      });
      this.#writes.persist(id, {
        state: 'delivered',
        ...(result.fileId !== undefined && { fileId: result.fileId }),
        messageId: result.messageId,
        details: result.details,
        ...(result.sha256 !== undefined && { sha256: result.sha256 }),
        relayBytes: job.size,
        // An earlier attempt's (or another instance's) error no longer applies.
        error: null,
        finishedAt: now(),
      });
      finish('delivered');
      logger.info({ job: id, step: 'delivered', destination: job.destination, messageId: result.messageId, ...result.details }, 'job delivered');
      await this.#o.removeSpool(id).catch((error: unknown) => {
        logger.warn({ job: id, step: 'spool-cleanup', err: String(error) }, 'could not remove the spooled file');
      });
    } catch (error) {
      if (signal.reason instanceof Shutdown) {
        this.#writes.persist(id, { state: 'queued' }, ['relaying']);
        logger.info({ job: id, step: 'paused' }, 'service stopping: job goes back to the queue');
        return;
      }
      const jobError = toJobError(error);
      this.#writes.persist(id, { state: 'failed', error: jobError, finishedAt: now() });
      finish('failed');
      logger.warn({ job: id, step: 'failed', error: jobError }, 'job failed; the spooled file is kept for a retry');
    }
  }

  #engineOptions(job: Job): RelayContext['engineOptions'] {
    const options = this.#o.engineOptions?.(job);
    if (!this.#redeliver.delete(job.id)) return options;
    return { ...options, redeliver: true };
  }

}
