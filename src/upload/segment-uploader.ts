/**
 * Stores one part: PUT to the URL the session gives, with its headers, paced by the upload's AIMD
 * controller, under the retry policy. Beyond plain retries it handles the storage's own answers
 * (S3-style, whatever the destination):
 * - 403 "Request has expired": one shared refresh through the session, then the same bytes again;
 * - a 2xx the session judges damaged (its digest differs from ours), or 400 BadDigest: the bytes
 *   were damaged on the way; re-send the same buffer a bounded number of times, then IntegrityError;
 * - 429 SlowDown: tell the AIMD controller (the whole upload slows down), then retry.
 * Retries re-send the same buffer; nothing is read from the file again.
 */
import { IntegrityError, RejectedError, TransientError, type UploadError } from '../errors/index.js';
import type { AimdController } from '../http/aimd-controller.js';
import { AttemptFailure, runWithRetry, type ProgressEpoch } from '../http/retry-runner.js';
import type { Failure } from '../http/retry-policy.js';
import type { RemoteError } from '../genesys/error-body.js';
import type { PartRequest, PartToPut, RemoteSession, StepContext, StoredPart } from '../destinations/destination.js';
import type { PartAnswer, PartTransport } from './put-part.js';
import type { Segment } from './segment-reader.js';

/** Re-sends of one segment whose bytes arrived damaged before giving up. */
export const MAX_INTEGRITY_RESENDS = 3;
/** URL refreshes for one segment before giving up (each refresh yields a URL valid for its TTL). */
export const MAX_URL_REFRESHES = 5;

export interface StorageContext {
  transport: PartTransport;
  session: RemoteSession;
  aimd: AimdController;
  progress: ProgressEpoch;
  step: StepContext;
  stats: { bytesSent: number };
}

function isExpired(status: number, remote: RemoteError): boolean {
  return status === 403 && remote.code === 'AccessDenied' && /expired/i.test(remote.message ?? '');
}

function storageError(status: number, remote: RemoteError, index: number): UploadError {
  const options = {
    status,
    ...(remote.code !== undefined && { remoteCode: remote.code }),
    ...(remote.contextId !== undefined && { contextId: remote.contextId }),
  };
  const said = `HTTP ${status}${remote.code === undefined ? '' : ` ${remote.code}`}${remote.message === undefined ? '' : `: ${remote.message}`}`;
  if (status === 429 || status >= 500) {
    return new TransientError('storage.unavailable', `The storage could not take segment ${index} (${said}).`, options);
  }
  if (remote.code === 'SignatureDoesNotMatch') {
    return new RejectedError(
      'storage.signature',
      `The storage refused segment ${index} (${said}): the pre-signed URL was altered or the Content-Type differs from the one declared at initiation.`,
      options,
    );
  }
  if (remote.code === 'NoSuchUpload') {
    return new RejectedError('storage.no_such_upload', `The storage no longer knows this upload (${said}): it was aborted or already completed.`, options);
  }
  return new RejectedError('storage.rejected', `The storage refused segment ${index} (${said}).`, options);
}

export function partOf(segment: Segment): PartToPut {
  return { index: segment.index, start: segment.start, length: segment.data.length, checksum: segment.checksum, checksumBase64: segment.checksumBase64 };
}

/** Stores the segment; returns the part as the session accepted it. */
export async function storeSegment(ctx: StorageContext, segment: Segment): Promise<StoredPart> {
  const { session, step } = ctx;
  const part = partOf(segment);
  let resends = 0;
  let refreshes = 0;
  const resend = (reason: string): void => {
    resends++;
    if (resends > MAX_INTEGRITY_RESENDS) {
      throw new IntegrityError(
        'integrity.segment_damaged',
        `Segment ${segment.index} arrived damaged ${resends} times in a row (${reason}); giving up. Check for a faulty proxy or network device.`,
      );
    }
    step.emit({ type: 'retry', attempt: resends, delayMs: 0, reason, segmentIndex: segment.index, route: 'storage' });
  };

  const attempt = async (): Promise<StoredPart> => {
    for (;;) {
      const ticket = await ctx.aimd.acquire(step.signal);
      let request: PartRequest;
      let response: PartAnswer;
      try {
        // Asked after the pacing wait: a refresh made meanwhile is already in it.
        request = await session.partRequest(part);
        ctx.stats.bytesSent += segment.data.length;
        response = await ctx.transport.putPart({ url: request.url, headers: request.headers, body: segment.data, signal: step.signal });
      } finally {
        ctx.aimd.release();
      }
      if (response.ok) {
        const accepted = session.accept(part, response.etag);
        if (accepted !== 'damaged') {
          ctx.aimd.onSuccess();
          return accepted;
        }
        resend("the storage's digest of the stored copy (ETag) differs from ours");
        continue;
      }
      const { status, error: remote } = response;
      if (isExpired(status, remote)) {
        refreshes++;
        if (refreshes > MAX_URL_REFRESHES) {
          throw new TransientError('storage.url_expired', `The pre-signed URL kept expiring while sending segment ${segment.index}; giving up after ${MAX_URL_REFRESHES} refreshes.`);
        }
        await session.refresh(request.version, step);
        continue;
      }
      if (status === 400 && remote.code === 'BadDigest') {
        resend('the storage received bytes that do not match our checksum (BadDigest)');
        continue;
      }
      // Genesys' storage says 429 SlowDown; S3 itself says 503 SlowDown. Both slow the whole upload.
      const slowDown = (status === 429 || status === 503) && remote.code === 'SlowDown';
      if (slowDown) ctx.aimd.onSlowDown(ticket, response.retryAfterMs);
      const failure: Failure =
        status === 400 && remote.code === 'IncompleteBody'
          ? { kind: 'network', code: 'IncompleteBody' }
          : { kind: 'status', status, retryAfterMs: response.retryAfterMs, slowDown };
      throw new AttemptFailure(failure, storageError(status, remote, segment.index));
    }
  };

  const stored = await runWithRetry(attempt, {
    what: `store segment ${segment.index}`,
    policy: step.retry,
    idempotency: 'idempotent', // re-sending a part replaces it
    clock: ctx.transport.clock,
    random: ctx.transport.random,
    signal: step.signal,
    progress: ctx.progress,
    onRetry: (info) => step.emit({ type: 'retry', ...info, segmentIndex: segment.index, route: 'storage' }),
  });
  ctx.progress.bump();
  return stored;
}
