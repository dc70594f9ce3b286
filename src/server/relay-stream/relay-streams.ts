/**
 * Relay while receiving: for a job whose upload can be stored before its destination is opened
 * (RelayVias.storage: the tutorial's Files API, or the S3 link store for a job that surely goes as
 * a link), the remote session is opened at the tus creation (the size is known), its part size is
 * told to the client (so that its chunks are the parts and each chunk's checksum serves as the
 * part's), and the engine runs on the growing spool file (src/upload/growing-source.ts), storing
 * each part as soon as the intake verified it. When the last byte arrives only the last part and
 * the completion remain. The other jobs (an attachment through Web Messaging or into a
 * conversation: one whole-file PUT, to a destination that needs a connection) relay after intake.
 * The job runner's relay of the job waits for the stream (`uploaded`), which records the stored
 * file where that relay finds it (job record and resume journal, as a completed upload under the
 * same Via's target: stored-upload.ts): it then only delivers the message, exactly once as for any
 * job.
 *
 * Crash safety: `<spoolDir>/relay-stream/<id>.json` keeps the session's resume state from its
 * opening. At start every such session is resumed (the store says which parts it holds: those are
 * not sent again) and its engine waits for the intake the client resumes; `<id>.parts` lists the
 * parts stored (both: stream-records.ts), so a session completed just before the crash is recognised
 * rather than uploaded again. A stream that fails, or whose session the store forgot, gives its
 * job back to the usual relay after intake.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RemoteSession, StepContext, StoredFile } from '../../destinations/destination.js';
import { resolveRetryPolicy } from '../../http/retry-policy.js';
import type { Journal } from '../../journal/index.js';
import type { Via } from '../../relay/via.js';
import { runUpload } from '../../upload/run-upload.js';
import type { Job } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import type { RelayVias } from '../jobs/relay-vias.js';
import { recordRelayEvent } from '../jobs/relay-events.js';
import type { StateWrites } from '../jobs/state-writes.js';
import type { ServiceMetrics } from '../metrics.js';
import { SpoolProgress } from './spool-progress.js';
import { StreamRecords } from './stream-records.js';
import { recordStoredUpload } from './stored-upload.js';
import { ConfigError } from '../../errors/index.js';
import { IntakeRefusal } from '../intake/metadata.js';

export interface RelayStreamOptions {
  store: JobStore;
  /** The service's destination: `storage` says which jobs are stored while received, and through what. */
  vias: Pick<RelayVias, 'storage'>;
  journal: (job: Job) => Journal | undefined;
  spoolDir: string;
  spoolPath(id: string): string;
  concurrency: number;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The job runner's: one queue of state writes, whose backlog /readyz reports. */
  writes: StateWrites;
}

class Stopped extends Error {
  override readonly name = 'Stopped';
}

interface Stream {
  id: string;
  progress: SpoolProgress;
  controller: AbortController;
  done: Promise<void>;
  /** The upload is stored and recorded. */
  stored: boolean;
}

export class RelayStreams {
  readonly #o: RelayStreamOptions;
  readonly #streams = new Map<string, Stream>();
  /** Each stream's session state and stored parts, for a resume after a restart (stream-records.ts). */
  readonly #records: StreamRecords;
  /** The engine's events update the job and the metrics and log as in any relay (jobs/relay-events.ts). */
  readonly #writes: StateWrites;
  #closed = false;

  constructor(options: RelayStreamOptions) {
    this.#o = options;
    this.#writes = options.writes;
    this.#records = new StreamRecords(join(options.spoolDir, 'relay-stream'), options.logger);
  }

  /** The Via of a job relayed while receiving; undefined when it is relayed after intake. */
  #via(job: Job): Promise<Via | undefined> {
    return this.#o.vias.storage(job);
  }

  #step(via: Via, signal: AbortSignal): StepContext {
    return { signal, retry: resolveRetryPolicy(via.retryPolicy), emit: () => undefined };
  }

  /**
   * At creation (POST answered 201): opens the destination's session and starts relaying.
   * Returns the part size to advertise, or undefined (whole-file destination, or the session could
   * not be opened: the job is relayed after intake as before). Throws an IntakeRefusal when the job
   * can never be delivered (its link message cannot fit the destination's text limit), so the
   * client is told at creation rather than after sending every byte.
   */
  async start(id: string): Promise<number | undefined> {
    const job = this.#o.store.get(id);
    if (job === undefined || this.#closed || this.#streams.has(id)) return undefined;
    const controller = new AbortController();
    let via: Via | undefined;
    let session: RemoteSession;
    try {
      via = await this.#via(job);
      if (via === undefined) return undefined;
      const file = { fileName: job.fileName, contentType: job.contentType, size: job.size };
      if (via.destination.store.refuses?.(file) !== undefined) return undefined;
      session = await via.destination.store.open(file, this.#step(via, controller.signal));
      await this.#records.opened(id, session.state());
    } catch (error) {
      if (error instanceof ConfigError && error.code === 'config.link_text') throw new IntakeRefusal(400, `${error.message}\n`);
      this.#o.logger.warn({ job: id, step: 'stream-open-failed', err: String(error) }, 'could not open the destination session at creation; relaying after intake');
      return undefined;
    }
    try {
      this.#o.store.update(id, { uploadId: session.id });
    } catch {
      // Shown in the job's view only; the relay records it again.
    }
    // A creation with a body has bytes in the spool already (they did not go through the whole-file hash).
    const available = await stat(this.#o.spoolPath(id)).then((s) => s.size, () => 0);
    this.#launch(job, via, session, controller, available);
    this.#o.logger.info({ job: id, step: 'stream-started', uploadId: session.id, partSize: session.plan.chunkSize }, 'relaying while receiving');
    return session.plan.chunkSize;
  }

  /** At start: resumes the sessions of jobs that were relaying while receiving when the process stopped. */
  async recover(): Promise<void> {
    for (const id of await this.#records.ids()) {
      const job = this.#o.store.get(id);
      // A job whose upload is stored, or that ended, has nothing left to stream.
      if (job === undefined || job.fileId !== undefined || job.state === 'delivered' || job.state === 'failed') {
        await this.#records.forget(id);
        continue;
      }
      const controller = new AbortController();
      try {
        const via = await this.#via(job);
        if (via === undefined) throw new Error('the service no longer stores this job while receiving');
        const file = { fileName: job.fileName, contentType: job.contentType, size: job.size };
        const session = await via.destination.store.resume(await this.#records.state(id), file, this.#step(via, controller.signal), await this.#records.read(id));
        if (session === undefined) throw new Error('the store no longer knows the session');
        const available = await stat(this.#o.spoolPath(id)).then((s) => s.size);
        this.#o.logger.info({ job: id, step: 'stream-resumed', uploadId: session.id, partsHeld: session.held.size, received: available }, 'relaying while receiving again after a restart');
        this.#launch(job, via, session, controller, available);
      } catch (error) {
        this.#o.logger.warn({ job: id, step: 'stream-resume-failed', err: String(error) }, 'could not resume relaying while receiving; relaying after intake');
        await this.#records.forget(id);
      }
    }
  }

  /** The intake's verified offset of `id` moved. */
  advanced(id: string, offset: number): void {
    this.#streams.get(id)?.progress.advanced(offset);
  }

  /** Whether `id` is relayed while receiving (its relay only waits for it and sends the message). */
  has(id: string): boolean {
    return this.#streams.has(id);
  }

  /** The part size of `id`'s stream (for a resuming client's HEAD), or undefined. */
  partSizeOf(id: string): number | undefined {
    return this.#streams.get(id)?.progress.partSize;
  }

  /** The progress of `id`'s stream, for the intake's hashing (undefined: no stream). */
  progressOf(id: string): SpoolProgress | undefined {
    return this.#streams.get(id)?.progress;
  }

  /** A checksummed chunk was verified; counts chunks that do not match a part. */
  chunkVerified(id: string, ...args: Parameters<SpoolProgress['chunkVerified']>): void {
    const progress = this.#streams.get(id)?.progress;
    if (progress !== undefined && !progress.chunkVerified(...args)) this.#o.metrics.unalignedChunks.inc();
  }

  /**
   * For the job runner's relay of a complete intake: waits for the job's stream to end and returns
   * the job as recorded then (with its stored file, or without when the stream gave up: the relay
   * uploads it then). Rejects when `signal` aborts (the runner is stopping).
   */
  async uploaded(job: Job, signal: AbortSignal): Promise<Job> {
    const stream = this.#streams.get(job.id);
    if (stream === undefined) return job;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void stream.done.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
    if (stream.controller.signal.reason instanceof Stopped) throw stream.controller.signal.reason;
    if (this.#streams.get(job.id) === stream) this.#streams.delete(job.id);
    return this.#o.store.get(job.id) ?? job;
  }

  /** The intake of `id` ended without completing (terminated, expired): its session is discarded. */
  gone(id: string): void {
    const stream = this.#streams.get(id);
    if (stream === undefined) return;
    stream.progress.fail(new Error('the intake ended before it was complete'));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const streams = [...this.#streams.values()];
    for (const stream of streams) stream.controller.abort(new Stopped('the service is stopping'));
    await Promise.all(streams.map((s) => s.done));
  }


  #launch(job: Job, via: Via, session: RemoteSession, controller: AbortController, available: number): void {
    const progress = new SpoolProgress(job.size, session.plan.chunkSize, available);
    const stream: Stream = { id: job.id, progress, controller, done: Promise.resolve(), stored: false };
    this.#streams.set(job.id, stream);
    stream.done = this.#run(stream, job, via, session).finally(() => {
      // A stored stream stays until the runner's relay asked for it (uploaded).
      if (this.#streams.get(job.id) === stream && !stream.stored && !(controller.signal.reason instanceof Stopped)) this.#streams.delete(job.id);
    });
  }

  async #run(stream: Stream, job: Job, via: Via, session: RemoteSession): Promise<void> {
    const { logger, metrics } = this.#o;
    const id = job.id;
    const path = this.#o.spoolPath(id);
    const checksums = new Map<number, string>();
    let partsHashedAgain = 0;
    let wholeFromIntake = false;
    try {
      const result = await runUpload(via.destination.store, via.transport, {
        filePath: path,
        fileName: job.fileName,
        contentType: job.contentType,
        // Parts arrive one at a time per upload, seconds apart when many arrive at once: one in flight
        // keeps up and holds two buffers (16 uploads relayed at once: 160 MiB of 5 MiB parts, not 240).
        concurrency: 1,
        basePolicy: via.retryPolicy,
        session,
        keepOnError: true,
        signal: stream.controller.signal,
        growing: {
          size: job.size,
          waitFor: (end, signal) => stream.progress.waitFor(end, signal),
          knownChecksum: (index, start, length) => {
            const known = stream.progress.knownChecksum(index, start, length);
            if (known === undefined) partsHashedAgain++;
            return known;
          },
          // After a restart the intake's in-order hash is gone: the engine hashes as it reads.
          ...(session.resumed
            ? {}
            : {
                tracksWhole: () => stream.progress.tracksWhole(),
                wholeSha256: () => {
                  const whole = stream.progress.wholeSha256();
                  wholeFromIntake = whole !== undefined;
                  return whole;
                },
              }),
        },
        onEvent: (event) => {
          if (event.type === 'segment-stored') {
            checksums.set(event.index, event.checksum);
            this.#records.append(id, event);
          }
          recordRelayEvent({ writes: this.#writes, metrics, logger }, id, event);
        },
      });
      await this.#recordStored(job, via, result.stored, result.sessionId, checksums, session);
      stream.stored = true;
      logger.info(
        { job: id, step: 'stream-stored', fileId: result.stored.ref, bytesSkipped: result.bytesSkipped, partsHashedAgain, wholeFromIntake },
        'upload stored while receiving; the message remains',
      );
    } catch (error) {
      if (stream.controller.signal.reason instanceof Stopped) return; // its records stay: the next start resumes
      logger.warn({ job: id, step: 'stream-failed', err: String(error) }, 'relaying while receiving failed; the job is relayed after intake');
      await session.abort();
      await this.#records.forget(id);
    }
  }

  /** The stored upload, where the runner's relay finds it (stored-upload.ts); then its records go. */
  async #recordStored(job: Job, via: Via, stored: StoredFile, uploadId: string, checksums: Map<number, string>, session: RemoteSession): Promise<void> {
    const where = { path: this.#o.spoolPath(job.id), journal: this.#o.journal(job), store: this.#o.store };
    await recordStoredUpload(where, job, via, { stored, uploadId, checksums, session });
    await this.#records.forget(job.id);
  }
}
