/**
 * The upload engine: one file to one Genesys Cloud file id (PROTOCOL.md §2-§5).
 *
 *   open + check → initiate (or adopt a resumed upload) → plan (server's chunkSize/maxChunks
 *   only) → N workers: read (pooled buffer) → hash → PUT (paced, retried) unless the server
 *   already holds that checksum → record → file unchanged? → complete (ordered checksums;
 *   re-send what the server lists) → whole-file SHA-256 equals the server's?
 *
 * A resumed upload reads and hashes every segment in order, as a new one does (the whole-file
 * SHA-256 needs them all, in order), but PUTs only those the server lacks or holds differently:
 * what is sent again after a crash is bounded by what was in flight when it happened.
 *
 * On any failure everything settles first, then the remote upload is aborted (unless
 * keepOnError), then the first error is thrown; an abort of `signal` is an InterruptedError.
 * Nothing prints: progress is reported through `onEvent`.
 */
import { basename } from 'node:path';
import { IntegrityError, InternalError, InterruptedError, UploadError } from '../errors/index.js';
import { AimdController } from '../http/aimd-controller.js';
import { ProgressEpoch, interrupted } from '../http/retry-runner.js';
import { resolveRetryPolicy } from '../http/retry-policy.js';
import type { CallOptions } from '../genesys/api-transport.js';
import type { GenesysClient } from '../relay/genesys-client.js';
import { BufferPool } from './buffer-pool.js';
import { completeUpload } from './complete-upload.js';
import { contentTypeFor, validateContentType } from './content-type.js';
import type { UploadEvent } from './events.js';
import { assertUnchanged } from './file-guard.js';
import { validateUploadOptions, type UploadFileOptions } from './options.js';
import { PresignedUrl } from './presigned-url.js';
import { sanitizeFileName } from './sanitize-file-name.js';
import { SegmentReader, type Segment } from './segment-reader.js';
import { storeSegment, type StorageContext } from './segment-uploader.js';
import { runSegmentWorkers } from './segment-workers.js';
import { openSourceFile } from './source-file.js';
import { fingerprint } from './fingerprint.js';
import { heldChecksums, startUpload } from './start-upload.js';
import { planSegments } from './plan.js';
import { abortRemoteUpload } from './abort-remote.js';

export interface UploadFileResult {
  uploadId: string;
  fileId: string;
  /** The name the file was uploaded under (sanitised). */
  fileName: string;
  contentType: string;
  size: number;
  /** Whole-file SHA-256, lowercase hex, computed by us and confirmed by the server. */
  sha256: string;
  chunks: number;
  chunkSize: number;
  /** Retries of any kind (storage, API, token, damaged-segment re-sends). */
  retries: number;
  /** Bytes put on the wire to the storage, re-sends included. */
  bytesSent: number;
  /** True when an existing remote upload was continued (`resumeFrom`). */
  resumed: boolean;
  /** Bytes not sent because the server already held them with the same checksum. */
  bytesSkipped: number;
}

function asUploadError(error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError('internal.unexpected', `Unexpected failure: ${message}`, { cause: error });
}

export async function uploadFile(client: GenesysClient, options: UploadFileOptions): Promise<UploadFileResult> {
  const valid = validateUploadOptions(options);
  const policy = resolveRetryPolicy({ ...client.retryPolicy, ...options.retry });
  const fileName = sanitizeFileName(options.fileName ?? basename(options.filePath));
  const contentType = validateContentType(options.contentType ?? contentTypeFor(fileName));
  const path = options.filePath;
  const userSignal = options.signal;
  if (userSignal?.aborted) throw interrupted(userSignal);
  const emit = (event: UploadEvent): void => options.onEvent?.(event);
  const stats = { retries: 0, bytesSent: 0 };
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
  const callOptions: CallOptions = {
    signal,
    retry: policy,
    onRetry: (info) => {
      stats.retries++;
      emit({ type: 'retry', ...info });
    },
  };

  const source = await openSourceFile(path, valid.maxFileSize);
  const unchanged = (): Promise<void> => assertUnchanged(path, source.identity, 'during the upload');
  let uploadId: string | undefined;
  let completed = false;
  try {
    const size = source.size;
    const remote = await startUpload(client, { fileName, contentType, size, resumeFrom: options.resumeFrom }, callOptions);
    uploadId = remote.uploadId;
    const id = uploadId;
    const plan = planSegments(size, remote.chunkSize, remote.maxChunks);
    const stored = heldChecksums(plan, remote.segments);
    if (recorder !== undefined && !remote.resumed) {
      const chunks = await fingerprint(source.handle, plan, signal);
      recorder.initiated({ uploadId: id, fileName: remote.fileName, contentType: remote.contentType, plan, identity: source.identity, fingerprint: chunks });
    }
    emit({
      type: 'initiated',
      uploadId: id,
      fileName: remote.fileName,
      contentType: remote.contentType,
      totalSize: size,
      chunkSize: plan.chunkSize,
      chunks: plan.chunks,
    });

    const workers = Math.min(valid.concurrency, plan.chunks);
    // workers + 1: a worker asking for its next segment always finds a free buffer (see SegmentReader).
    const reader = new SegmentReader(source.handle, plan, new BufferPool(workers + 1, Math.min(plan.chunkSize, size)));
    const storage: StorageContext = {
      put: (request) => client.putSegment(request),
      plan,
      contentType: remote.contentType,
      url: new PresignedUrl(
        remote.presignedUrl,
        () => client.status(id, callOptions),
        (expiresAt) => emit({ type: 'url-refreshed', expiresAt }),
      ),
      aimd: new AimdController({
        maxInFlight: workers,
        maxRps: valid.maxRps,
        clock: client.clock,
        onAdjust: (state) => emit({ type: 'rate-adjusted', ...state }),
      }),
      policy,
      progress: new ProgressEpoch(),
      clock: client.clock,
      random: client.random,
      signal,
      emit,
      stats,
    };
    const checksums: string[] = new Array<string>(plan.chunks).fill('');
    let bytesStored = 0;
    let bytesSkipped = 0;
    /** On the first pass of a resumed upload: the server holds this very segment already. */
    const held = (segment: Segment): boolean => stored.get(segment.index) === segment.checksum;
    const storeAll = async (next: (signal: AbortSignal) => Promise<Segment | undefined>, firstPass: boolean): Promise<void> => {
      await runSegmentWorkers({
        concurrency: workers,
        source: next,
        store: (segment) => (firstPass && held(segment) ? Promise.resolve() : storeSegment(storage, segment)),
        onStored: (segment) => {
          const length = segment.data.length;
          const skipped = firstPass && held(segment);
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
    const sha256 = reader.wholeFileSha256();

    const result = await completeUpload({
      client,
      uploadId: id,
      contentType: remote.contentType,
      checksums,
      callOptions,
      emit,
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
    if (result.sha256 !== sha256 || result.size !== size) {
      throw new IntegrityError(
        'integrity.sha256_mismatch',
        `The server stored a different file: its SHA-256 is ${result.sha256} (${result.size} bytes), ours is ${sha256} (${size} bytes).`,
        { details: { fileId: result.fileId, serverSha256: result.sha256, sha256 } },
      );
    }
    recorder?.completed(result.fileId, sha256);
    emit({ type: 'completed', fileId: result.fileId, sha256 });
    return {
      uploadId: id,
      fileId: result.fileId,
      fileName: remote.fileName,
      contentType: remote.contentType,
      size,
      sha256,
      chunks: plan.chunks,
      chunkSize: plan.chunkSize,
      retries: stats.retries,
      bytesSent: stats.bytesSent,
      resumed: remote.resumed,
      bytesSkipped,
    };
  } catch (error) {
    let failure = asUploadError(firstError ?? error);
    if (userSignal?.aborted && !(failure instanceof InterruptedError)) failure = interrupted(userSignal, failure);
    if (!signal.aborted) controller.abort(failure);
    if (uploadId !== undefined && !completed && !valid.keepOnError) {
      emit({ type: 'aborting', uploadId });
      await abortRemoteUpload(client, uploadId);
    }
    throw failure;
  } finally {
    userSignal?.removeEventListener('abort', onUserAbort);
    await source.handle.close();
  }
}
