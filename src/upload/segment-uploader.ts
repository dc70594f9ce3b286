/**
 * Stores one segment: PUT to the current pre-signed URL, paced by the upload's AIMD controller,
 * under the retry policy. Beyond plain retries it handles the storage's own answers:
 * - 403 "Request has expired": one shared URL refresh, then the same bytes again;
 * - an ETag that is not our digest, or 400 BadDigest: the bytes were damaged on the way; re-send
 *   the same buffer a bounded number of times, then IntegrityError;
 * - 429 SlowDown: tell the AIMD controller (the whole upload slows down), then retry.
 * Retries re-send the same buffer; nothing is read from the file again.
 */
import { IntegrityError, RejectedError, TransientError, type UploadError } from '../errors/index.js';
import type { AimdController } from '../http/aimd-controller.js';
import type { Clock, Random } from '../http/clock.js';
import { AttemptFailure, runWithRetry, type ProgressEpoch } from '../http/retry-runner.js';
import type { Failure, RetryPolicy } from '../http/retry-policy.js';
import type { RemoteError } from '../genesys/error-body.js';
import type { PutSegmentRequest, PutSegmentResponse } from '../genesys/storage.js';
import type { UploadEvent } from './events.js';
import type { SegmentPlan } from './plan.js';
import type { PresignedUrl } from './presigned-url.js';
import type { Segment } from './segment-reader.js';

/** Re-sends of one segment whose bytes arrived damaged before giving up. */
export const MAX_INTEGRITY_RESENDS = 3;
/** URL refreshes for one segment before giving up (each refresh yields a URL valid for its TTL). */
export const MAX_URL_REFRESHES = 5;

export interface StorageContext {
  put: (request: PutSegmentRequest) => Promise<PutSegmentResponse>;
  plan: SegmentPlan;
  contentType: string;
  url: PresignedUrl;
  aimd: AimdController;
  policy: RetryPolicy;
  progress: ProgressEpoch;
  clock: Clock;
  random: Random;
  signal: AbortSignal;
  emit: (event: UploadEvent) => void;
  stats: { retries: number; bytesSent: number };
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

export async function storeSegment(ctx: StorageContext, segment: Segment): Promise<void> {
  const hex = segment.checksum.slice('sha256:'.length);
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
    ctx.stats.retries++;
    ctx.emit({ type: 'retry', attempt: resends, delayMs: 0, reason, segmentIndex: segment.index, route: 'storage' });
  };

  const attempt = async (): Promise<void> => {
    for (;;) {
      const ticket = await ctx.aimd.acquire(ctx.signal);
      const { url, version } = ctx.url.current;
      let response: PutSegmentResponse;
      try {
        ctx.stats.bytesSent += segment.data.length;
        response = await ctx.put({
          url,
          body: segment.data,
          start: segment.start,
          totalSize: ctx.plan.totalSize,
          contentType: ctx.contentType,
          checksumBase64: segment.checksumBase64,
          signal: ctx.signal,
        });
      } finally {
        ctx.aimd.release();
      }
      if (response.ok) {
        if (response.etag === undefined || response.etag === hex) {
          ctx.aimd.onSuccess();
          return;
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
        await ctx.url.refresh(version);
        continue;
      }
      if (status === 400 && remote.code === 'BadDigest') {
        resend('the storage received bytes that do not match our checksum (BadDigest)');
        continue;
      }
      const slowDown = status === 429 && remote.code === 'SlowDown';
      if (slowDown) ctx.aimd.onSlowDown(ticket, response.retryAfterMs);
      const failure: Failure =
        status === 400 && remote.code === 'IncompleteBody'
          ? { kind: 'network', code: 'IncompleteBody' }
          : { kind: 'status', status, retryAfterMs: response.retryAfterMs, slowDown };
      throw new AttemptFailure(failure, storageError(status, remote, segment.index));
    }
  };

  await runWithRetry(attempt, {
    what: `store segment ${segment.index}`,
    policy: ctx.policy,
    idempotency: 'idempotent', // re-sending a segment replaces it (PROTOCOL.md §3)
    clock: ctx.clock,
    random: ctx.random,
    signal: ctx.signal,
    progress: ctx.progress,
    onRetry: (info) => {
      ctx.stats.retries++;
      ctx.emit({ type: 'retry', ...info, segmentIndex: segment.index, route: 'storage' });
    },
  });
  ctx.progress.bump();
}
