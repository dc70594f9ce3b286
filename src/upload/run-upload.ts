/**
 * The upload engine: one file into one store's remote session, whatever the destination.
 *
 *   open + check → session (opened now, or resumed by the caller) → its plan → N workers: read
 *   (pooled buffer) → hash → PUT what the session says (paced, retried) unless the session already
 *   holds that checksum → record → file unchanged? → session.complete (re-send what it lists) →
 *   the stored file, verified by the session against our whole-file SHA-256.
 *
 * A resumed session reads and hashes every part in order, as a new one does (the whole-file
 * SHA-256 needs them all, in order), but PUTs only those the store lacks or holds differently:
 * what is sent again after a crash is bounded by what was in flight when it happened.
 *
 * On any failure everything settles first, then the remote session is aborted (unless
 * keepOnError), then the first error is thrown; an abort of `signal` is an InterruptedError.
 * Nothing prints: progress is reported through `onEvent`. The engine knows no destination's API:
 * only the seam (destinations/destination.ts) and a transport that PUTs.
 */
import { basename } from 'node:path';
import { InternalError, InterruptedError, UploadError } from '../errors/index.js';
import { AimdController } from '../http/aimd-controller.js';
import { ProgressEpoch, interrupted } from '../http/retry-runner.js';
import { resolveRetryPolicy, type RetryPolicy } from '../http/retry-policy.js';
import type { RemoteSession, StepContext, Store, StoredFile, StoredPart } from '../destinations/destination.js';
import { BufferPool } from './buffer-pool.js';
import { completeUpload } from './complete-upload.js';
import { contentTypeFor, validateContentType } from './content-type.js';
import type { UploadEvent } from './events.js';
import { assertUnchanged } from './file-guard.js';
import { fingerprint } from './fingerprint.js';
import { GROWING_FINGERPRINT, assertGrown, openGrowingFile, type GrowingSource } from './growing-source.js';
import { validateUploadOptions, type UploadFileOptions } from './options.js';
import type { PartTransport } from './put-part.js';
import type { UploadRecorder } from './recorder.js';
import { sanitizeFileName } from './sanitize-file-name.js';
import { SegmentReader, type Segment } from './segment-reader.js';
import { storeSegment, type StorageContext } from './segment-uploader.js';
import { runSegmentWorkers } from './segment-workers.js';
import { openSourceFile } from './source-file.js';

export interface RunUploadOptions extends UploadFileOptions {
  /** The retry policy to start from (a client's); `retry` overrides parts of it. */
  basePolicy?: RetryPolicy | undefined;
  /** Continue this session (`Store.resume`, done by the caller) instead of opening a new one. */
  session?: RemoteSession | undefined;
  /** Told of each durable step (the resume journal). */
  recorder?: UploadRecorder | undefined;
  /** The file is still being written: its final size, when each range is there, what is hashed already (growing-source.ts). */
  growing?: GrowingSource | undefined;
}

export interface RunUploadResult {
  /** The session's id (an upload id). */
  sessionId: string;
  stored: StoredFile;
  chunks: number;
  chunkSize: number;
  /** Retries of any kind (storage, API, token, damaged-part re-sends). */
  retries: number;
  /** Bytes put on the wire to the storage, re-sends included. */
  bytesSent: number;
  /** True when an existing remote session was continued. */
  resumed: boolean;
  /** Bytes not sent because the store already held them with the same checksum. */
  bytesSkipped: number;
}

function asUploadError(error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError('internal.unexpected', `Unexpected failure: ${message}`, { cause: error });
}

/** The part the session holds already, if it is this very segment. */
function heldAs(held: ReadonlyMap<number, StoredPart>, segment: Segment): StoredPart | undefined {
  const part = held.get(segment.index);
  return part !== undefined && part.checksum === segment.checksum && part.size === segment.data.length ? part : undefined;
}

export async function runUpload(store: Store, transport: PartTransport, options: RunUploadOptions): Promise<RunUploadResult> {
  const valid = validateUploadOptions(options);
  const policy = resolveRetryPolicy({ ...options.basePolicy, ...options.retry });
  const fileName = sanitizeFileName(options.fileName ?? basename(options.filePath));
  const contentType = validateContentType(options.contentType ?? contentTypeFor(fileName));
  const path = options.filePath;
  const userSignal = options.signal;
  if (userSignal?.aborted) throw interrupted(userSignal);
  const stats = { retries: 0, bytesSent: 0 };
  const emit = (event: UploadEvent): void => {
    if (event.type === 'retry') stats.retries++;
    options.onEvent?.(event);
  };
  const recorder = options.recorder;

  // One controller stops everything: the user's abort or the first failure.
  const controller = new AbortController();
  const signal = controller.signal;
  const onUserAbort = (): void => controller.abort(interrupted(userSignal));
  userSignal?.addEventListener('abort', onUserAbort, { once: true });
  let firstError: unknown;
  const fail = (error: unknown): void => {
    firstError ??= error;
    if (!signal.aborted) controller.abort(error);
  };
  const throwIfFailed = (): void => {
    if (firstError !== undefined) throw firstError;
    if (signal.aborted) throw interrupted(signal);
  };
  const step: StepContext = { signal, retry: policy, emit };

  const growing = options.growing;
  const source = growing === undefined ? await openSourceFile(path, valid.maxFileSize) : await openGrowingFile(path, growing.size, valid.maxFileSize);
  const unchanged = (): Promise<void> => (growing === undefined ? assertUnchanged(path, source.identity, 'during the upload') : assertGrown(path, source.size));
  let session = options.session;
  let completed = false;
  try {
    const size = source.size;
    const refusal = store.refuses?.({ fileName, contentType, size });
    if (refusal !== undefined) throw refusal.error;
    session ??= await store.open({ fileName, contentType, size }, step);
    const opened = session;
    const plan = opened.plan;
    if (recorder !== undefined && !opened.resumed) {
      const chunks = growing === undefined ? await fingerprint(source.handle, plan, signal) : GROWING_FINGERPRINT;
      recorder.opened({
        id: opened.id,
        state: opened.state(),
        fileName: opened.fileName,
        contentType: opened.contentType,
        plan,
        identity: source.identity,
        fingerprint: chunks,
      });
    }
    emit({
      type: 'initiated',
      uploadId: opened.id,
      fileName: opened.fileName,
      contentType: opened.contentType,
      totalSize: size,
      chunkSize: plan.chunkSize,
      chunks: plan.chunks,
    });

    const workers = Math.min(valid.concurrency, plan.chunks);
    // workers + 1: a worker asking for its next segment always finds a free buffer (see SegmentReader).
    const pool = new BufferPool(workers + 1, Math.min(plan.chunkSize, size));
    const reader = new SegmentReader(source.handle, plan, pool, growing, signal);
    const storage: StorageContext = {
      transport,
      session: opened,
      aimd: new AimdController({
        maxInFlight: workers,
        maxRps: valid.maxRps,
        clock: transport.clock,
        onAdjust: (state) => emit({ type: 'rate-adjusted', ...state }),
      }),
      progress: new ProgressEpoch(),
      step,
      stats,
    };
    const parts: StoredPart[] = new Array<StoredPart>(plan.chunks);
    const checksums: string[] = new Array<string>(plan.chunks).fill('');
    const justStored = new Map<Segment, StoredPart>();
    let bytesStored = 0;
    let bytesSkipped = 0;
    const storeAll = async (next: (signal: AbortSignal) => Promise<Segment | undefined>, firstPass: boolean): Promise<void> => {
      await runSegmentWorkers({
        concurrency: workers,
        source: next,
        store: async (segment) => {
          const held = firstPass ? heldAs(opened.held, segment) : undefined;
          justStored.set(segment, held ?? (await storeSegment(storage, segment)));
        },
        onStored: (segment) => {
          const length = segment.data.length;
          const part = justStored.get(segment);
          justStored.delete(segment);
          const skipped = firstPass && heldAs(opened.held, segment) !== undefined;
          if (part !== undefined) parts[segment.index] = part;
          checksums[segment.index] = segment.checksum;
          // Recorded before it counts as stored: a crash after this line cannot lose the segment.
          recorder?.segmentStored(segment.index, length, segment.checksum);
          if (firstPass) bytesStored += length;
          if (skipped) bytesSkipped += length;
          emit({
            type: 'segment-stored',
            index: segment.index,
            size: length,
            checksum: segment.checksum,
            bytesStored,
            totalBytes: size,
            ...(skipped && { skipped }),
          });
        },
        controller,
        fail,
      });
      throwIfFailed();
    };

    await storeAll((s) => reader.next(s), true);
    await unchanged();
    const sha256 = await reader.wholeFileSha256();

    const stored = await completeUpload({
      session: opened,
      parts,
      whole: { sha256, size },
      step,
      assertUnchanged: unchanged,
      resend: async (indexes) => {
        let next = 0;
        await storeAll(async (s) => {
          const index = indexes[next++];
          return index === undefined ? undefined : reader.reread(index, checksums[index] ?? '', s);
        }, false);
      },
    });
    completed = true;
    recorder?.completed(stored);
    emit({ type: 'completed', fileId: typeof stored.ref === 'string' ? stored.ref : JSON.stringify(stored.ref), ref: stored.ref, sha256 });
    return {
      sessionId: opened.id,
      stored,
      chunks: plan.chunks,
      chunkSize: plan.chunkSize,
      retries: stats.retries,
      bytesSent: stats.bytesSent,
      resumed: opened.resumed,
      bytesSkipped,
    };
  } catch (error) {
    let failure = asUploadError(firstError ?? error);
    if (userSignal?.aborted && !(failure instanceof InterruptedError)) failure = interrupted(userSignal, failure);
    if (!signal.aborted) controller.abort(failure);
    if (session !== undefined && !completed && !valid.keepOnError) {
      emit({ type: 'aborting', uploadId: session.id });
      await session.abort();
    }
    throw failure;
  } finally {
    userSignal?.removeEventListener('abort', onUserAbort);
    await source.handle.close();
  }
}

