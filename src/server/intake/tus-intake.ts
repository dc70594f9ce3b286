/**
 * The resumable intake: @tus/server with @tus/file-store under `<spoolDir>/intake`. Each upload's
 * id (our job id) is the only name that reaches the file system; the client's file name lives in
 * the job record only. Creation is refused unless the metadata makes a deliverable job (size,
 * type, recipients); a finished intake queues its job. Expiry is ours, on the service's clock:
 * @tus/file-store's own sweep would also delete finished intakes still waiting for their relay.
 *
 * A job-store write that fails (locked, full or read-only database) never escapes: a creation
 * answers 503/507, a progress write is skipped, and a completion that could not be recorded is
 * retried by the sweep, which queues every receiving job whose spool file is complete.
 */
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { EVENTS, type Upload } from '@tus/utils';
import type { Logger } from 'pino';
import type { Job, JobSpec } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import { StateStoreError } from '../jobs/store-error.js';
import { ensurePrivateDir } from '../private-fs.js';
import { rollBackInterruptedAppends } from './checksum-append.js';
import { withoutSecrets } from './destination-metadata.js';
import { InPlaceAppends } from './in-place-appends.js';
import { admitIntake, IntakeRefusal, type AdmittedIntake, type IntakeLimits } from './metadata.js';
import { PrivateFileStore } from './private-file-store.js';
import { ProgressWrites } from './progress-writes.js';

export const TUS_PATH = '/files';
export const TUS_EXTENSIONS = ['creation', 'creation-with-upload', 'termination', 'expiration', 'checksum'];
/** Job ids: 32 lowercase hex characters (128 random bits). */
export const JOB_ID = /^[0-9a-f]{32}$/;

/** What the route knows about a request that @tus/server's hooks need. */
export interface IntakeRequestContext {
  /** The creating API key's hash (job owner); undefined without keys. */
  owner: string | undefined;
  /** Set by the creation hook: the job this request created. */
  createdId?: string;
  /** Set by the route's admission of a creation: its checked metadata, which the creation hook then uses. */
  admitted?: AdmittedIntake;
}

export interface TusIntakeOptions {
  spoolDir: string;
  limits: IntakeLimits;
  expiryMs: number;
  store: JobStore;
  logger: Logger;
  now: () => number;
  /** The intake of job `id` is complete. */
  onComplete(id: string): void;
  /** Job `id`'s spool holds `offset` verified bytes (relay while receiving). */
  onOffset?(id: string, offset: number): void;
  /** Job `id`'s intake ended without completing (terminated or expired). */
  onGone?(id: string): void;
  /** At start, once interrupted chunks are cut back and before complete intakes are queued. */
  onRecovered?(): Promise<void>;
  /** Keeps a new job's secret apart (the Web Messaging guest token, checked); it never reaches the spool. */
  keepSecrets?: ((id: string, guestToken: string) => Promise<void>) | undefined;
}

export class TusIntake {
  readonly server: Server;
  readonly datastore: FileStore;
  readonly directory: string;
  readonly partialDirectory: string;
  readonly #o: TusIntakeOptions;
  readonly #contexts = new WeakMap<Request, IntakeRequestContext>();
  readonly #progress: ProgressWrites;
  /** Chunks being appended in place (in-place-appends.ts): the completion sweep leaves their uploads alone. */
  readonly #appends = new InPlaceAppends();

  constructor(options: TusIntakeOptions) {
    this.#o = options;
    this.#progress = new ProgressWrites((id, offset) => void options.store.update(id, { intakeBytes: offset }, ['receiving']), options.logger);
    this.directory = join(options.spoolDir, 'intake');
    this.partialDirectory = join(options.spoolDir, 'partial');
    this.datastore = new PrivateFileStore({ directory: this.directory, expirationPeriodInMilliseconds: 0 });
    // What OPTIONS advertises. No creation-defer-length: the size limit is enforced at creation.
    this.datastore.extensions = [...TUS_EXTENSIONS];
    const serverOptions: ConstructorParameters<typeof Server>[0] = {
      path: TUS_PATH,
      datastore: this.datastore,
      maxSize: options.limits.maxSize,
      relativeLocation: true,
      disableTerminationForFinishedUploads: true,
      postReceiveInterval: 250,
      allowedOrigins: () => false, // CORS is the service's (src/server/http/cors.ts)
      namingFunction: () => randomBytes(16).toString('hex'),
      onUploadCreate: async (req, upload) => {
        const context = this.#contexts.get(req);
        const admitted = context?.admitted ?? admitIntake(upload.metadata, upload.size, this.#o.limits);
        this.#create(upload, admitted.spec, context);
        await this.#keepSecrets(upload.id, admitted.guestToken);
        return { metadata: withoutSecrets(upload.metadata) };
      },
      onIncomingRequest: async (_req, id) => this.#refuseExpired(id),
      onUploadFinish: async (_req, upload) => {
        this.#o.logger.info({ job: upload.id, step: 'intake-complete', size: upload.size }, 'intake complete');
        this.recordOffset(upload.id, upload.offset, true);
        this.#complete(upload.id);
        return {};
      },
    };
    this.server = new Server(serverOptions);
    // Emitted from @tus/server's throttle timer, outside any request: it must never throw.
    this.server.on(EVENTS.POST_RECEIVE, (_req: unknown, upload: Upload) => this.recordOffset(upload.id, upload.offset));
    this.server.on(EVENTS.POST_TERMINATE, (_req: unknown, _res: unknown, id: string) => {
      this.#progress.forget(id);
      try {
        this.#o.store.update(
          id,
          { state: 'failed', error: { kind: 'interrupted', code: 'intake.terminated', message: 'The client terminated the upload before it was complete.' }, finishedAt: this.#o.now() },
          ['receiving'],
        );
        this.#o.logger.info({ job: id, step: 'intake-terminated' }, 'intake terminated by the client');
        this.#o.onGone?.(id);
      } catch (error) {
        // The spool file is gone; the row stays receiving and the expiry sweep fails it later.
        this.#o.logger.error({ job: id, step: 'intake-terminated', err: String(error) }, 'could not record the termination');
      }
    });
  }

  /** @tus/server's answer to `request`, with what its hooks need to know about the caller. */
  async handle(request: Request, context: IntakeRequestContext): Promise<Response> {
    this.#contexts.set(request, context);
    return this.server.handleWeb(request);
  }

  /** The spooled file of job `id`. */
  pathOf(id: string): string {
    return join(this.directory, id);
  }

  /** When an unfinished intake of `job` expires (epoch ms). */
  expiresAt(job: Pick<Job, 'createdAt'>): number {
    return job.createdAt + this.#o.expiryMs;
  }

  /** Progress of a receiving job (called while bytes arrive and after each chunk): progress-writes.ts. */
  recordOffset(id: string, offset: number, final = false): void {
    this.#o.onOffset?.(id, offset);
    this.#progress.record(id, offset, final);
  }

  /**
   * Runs `work`, which appends a chunk of `id` into its spool file before verifying it
   * (checksum-append.ts): until it ends, a full-size file is not a complete intake.
   */
  async appendingInPlace<T>(id: string, work: () => Promise<T>): Promise<T> {
    return this.#appends.run(id, work);
  }

  async spoolComplete(id: string): Promise<boolean> {
    const job = this.#o.store.get(id);
    if (job === undefined) return false;
    try {
      return (await stat(this.pathOf(id))).size === job.size;
    } catch {
      return false;
    }
  }

  /** Removes job `id`'s spool file and the job (a creation whose request failed after the row was written). */
  async discard(id: string): Promise<void> {
    await this.remove(id);
    try {
      this.#o.store.delete(id);
    } catch (error) {
      // The row stays receiving and expires like any abandoned intake.
      this.#o.logger.warn({ job: id, step: 'intake-discard', err: String(error) }, 'could not remove the job of a failed creation');
    }
  }

  async remove(id: string): Promise<void> {
    this.#progress.forget(id);
    try {
      await this.datastore.remove(id);
    } catch {
      // Already gone: nothing to remove.
    }
  }

  /** Fails and removes the unfinished intakes older than the expiry. Returns how many. */
  async sweepExpired(): Promise<number> {
    const expired = this.#o.store.receivingCreatedBefore(this.#o.now() - this.#o.expiryMs);
    for (const job of expired) await this.#expire(job);
    return expired.length;
  }

  /** Queues the receiving jobs whose spool is complete (a completion the store could not record). */
  async completeReceived(): Promise<void> {
    for (const job of this.#o.store.inState('receiving')) {
      // A last chunk being appended makes the file full-size before it is verified (and cut back
      // on a mismatch): skip it, and skip any check an append ended during; the next sweep retries.
      if (this.#appends.has(job.id)) continue;
      const ended = this.#appends.ended;
      const complete = await this.spoolComplete(job.id);
      if (complete && !this.#appends.has(job.id) && ended === this.#appends.ended) {
        this.#o.logger.info({ job: job.id, step: 'intake-recovered' }, 'intake was complete; queuing its job');
        this.#complete(job.id);
      }
    }
  }

  /**
   * At start: the directories exist; chunks being verified when the process died are dropped
   * (spooled ones removed, ones appended in place cut back: their clients resend them); receiving jobs whose spool is complete (the process died at the
   * last byte) are queued.
   */
  async recover(): Promise<void> {
    await ensurePrivateDir(this.#o.spoolDir);
    await ensurePrivateDir(this.directory);
    for (const id of await rollBackInterruptedAppends(this.partialDirectory, this.directory)) {
      this.#o.logger.info({ job: id, step: 'chunk-rolled-back' }, 'a chunk was being appended when the process stopped; cut back to the last verified chunk');
    }
    await rm(this.partialDirectory, { recursive: true, force: true });
    await ensurePrivateDir(this.partialDirectory);
    await this.#o.onRecovered?.();
    await this.completeReceived();
  }

  #complete(id: string): void {
    try {
      this.#o.onComplete(id);
    } catch (error) {
      // The bytes are safe in the spool; the next sweep (completeReceived) queues the job.
      this.#o.logger.error({ job: id, step: 'intake-complete', err: String(error) }, 'could not queue the completed intake; the sweep retries');
    }
  }

  #create(upload: Upload, spec: JobSpec, context: IntakeRequestContext | undefined): void {
    if (!JOB_ID.test(upload.id)) throw new IntakeRefusal(500, 'Internal error: bad upload id.');
    try {
      this.#o.store.create(upload.id, spec, context?.owner);
    } catch (error) {
      if (error instanceof StateStoreError) {
        this.#o.logger.error({ job: upload.id, step: 'intake-create', err: error.message }, 'could not record a new intake');
        throw new IntakeRefusal(error.statusCode, error.message);
      }
      throw error;
    }
    if (context !== undefined) context.createdId = upload.id;
    this.#o.logger.info(
      { job: upload.id, step: 'intake-created', size: spec.size, fileName: spec.fileName, contentType: spec.contentType, recipients: spec.to.length },
      'intake created',
    );
  }

  /** The secret metadata goes to its own file; a failure there undoes the creation. */
  async #keepSecrets(id: string, guestToken: string | undefined): Promise<void> {
    if (this.#o.keepSecrets === undefined || guestToken === undefined) return;
    try {
      await this.#o.keepSecrets(id, guestToken);
    } catch (error) {
      await this.discard(id);
      this.#o.logger.error({ job: id, step: 'intake-create', err: error instanceof Error ? error.message : 'error' }, 'could not keep the upload\'s guest token');
      throw new IntakeRefusal(503, 'The service could not keep the guest token of this upload; try again later.');
    }
  }

  async #refuseExpired(id: string): Promise<void> {
    const job = this.#o.store.get(id);
    if (job === undefined) return; // new (POST) or unknown (@tus/server answers 404)
    if (job.state === 'receiving' && this.#o.now() > this.expiresAt(job)) await this.#expire(job);
    const current = this.#o.store.get(id);
    if (current?.state === 'failed' && current.error?.code === 'intake.expired') {
      throw new IntakeRefusal(410, 'This upload expired before it was complete; start a new upload.');
    }
  }

  async #expire(job: Job): Promise<void> {
    const failed = this.#o.store.update(
      job.id,
      {
        state: 'failed',
        error: { kind: 'interrupted', code: 'intake.expired', message: `The upload was not completed within ${Math.round(this.#o.expiryMs / 1000)} s of its creation and was discarded.` },
        finishedAt: this.#o.now(),
      },
      ['receiving'],
    );
    if (failed === undefined) return;
    this.#o.onGone?.(job.id);
    await this.remove(job.id);
    this.#o.logger.info({ job: job.id, step: 'intake-expired', received: failed.intakeBytes, size: failed.size }, 'unfinished intake expired and removed');
  }
}
