/**
 * The PUT of the whole file to the media's pre-signed `uploadUrl` (CONVERSATION-MEDIA.md §3.2):
 * one body, exactly the `uploadHeaders` the platform gave plus Content-Length, and never an
 * Authorization header: like src/genesys/storage.ts, this path has no token to send, so a bearer
 * token cannot reach the storage host. 429, 5xx and dropped connections are retried (the same bytes
 * to the same URL: idempotent) while the URL lives; an expired or refused URL is reported for the
 * caller to ask for a new media. Messages show the URL without its query (the signature).
 */
import type { Dispatcher } from 'undici';
import { RejectedError, TransientError, type UploadError } from '../../errors/index.js';
import type { Clock, Random } from '../../http/clock.js';
import { redactUrl } from '../../http/redact-url.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import { AttemptFailure, runWithRetry, type RetryInfo } from '../../http/retry-runner.js';
import type { RetryPolicy } from '../../http/retry-policy.js';
import { discardBody, readBodyText, sendRequest } from '../../http/send-request.js';
import { parseS3Error, type RemoteError } from '../../genesys/error-body.js';
import { LINK_WAY_OUT } from './errors.js';

/** [choice] of the contract: an upload URL lives 600 s; retries stop before that. */
export const UPLOAD_URL_LIFETIME_MS = 600_000;

export interface MediaPut {
  url: string;
  /** `uploadHeaders`, sent exactly. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface PutMediaOptions {
  dispatcher: Dispatcher;
  clock: Clock;
  random: Random;
  retry: RetryPolicy;
  /** When the URL was issued (clock time): retries end with its lifetime. */
  issuedAt: number;
  signal?: AbortSignal | undefined;
  onRetry?: ((info: RetryInfo) => void) | undefined;
}

/** The storage refused the URL (expired or signature mismatch): a new media must be requested. */
export const URL_REFUSED_CODE = 'storage.url_expired';

function headersTimeoutFor(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 32_768) * 1000;
}

function storageError(status: number, remote: RemoteError, put: MediaPut): UploadError {
  const where = redactUrl(put.url);
  const options = {
    status,
    ...(remote.code !== undefined && { remoteCode: remote.code }),
    ...(remote.contextId !== undefined && { contextId: remote.contextId }),
  };
  const said = remote.message === undefined ? '' : ` The storage said: ${remote.message}`;
  if (status === 403) {
    return new TransientError(
      'storage.url_expired',
      `The media storage refused the upload URL ${where} (HTTP 403 ${remote.code ?? ''}): it expired or its signature does not match.${said}`,
      options,
    );
  }
  if (status === 413) {
    return new RejectedError('rejected.too_large', `The media storage refused the file as too large (HTTP 413).${said} ${LINK_WAY_OUT}`, options);
  }
  if (status === 429 || status >= 500) {
    return new TransientError('storage.unavailable', `The media storage failed (HTTP ${status}${remote.code === undefined ? '' : ` ${remote.code}`}) at ${where}.${said}`, options);
  }
  return new RejectedError('storage.rejected', `The media storage refused the upload (HTTP ${status}${remote.code === undefined ? '' : ` ${remote.code}`}) at ${where}.${said}`, options);
}

/** Sends the PUT once; a non-2xx answer is thrown as an AttemptFailure for the retry runner. */
async function putOnce(put: MediaPut, options: PutMediaOptions): Promise<void> {
  const response = await sendRequest({
    dispatcher: options.dispatcher,
    url: put.url,
    method: 'PUT',
    headers: { ...put.headers, 'content-length': String(put.body.length) },
    body: put.body,
    signal: options.signal,
    headersTimeoutMs: headersTimeoutFor(put.body.length),
  });
  if (response.status >= 200 && response.status < 300) {
    await discardBody(response.body);
    return;
  }
  const { text } = await readBodyText(response.body, 64 * 1024);
  const remote = parseS3Error(text);
  throw new AttemptFailure(
    {
      kind: 'status',
      status: response.status,
      retryAfterMs: parseRetryAfter(response.headers['retry-after'], options.clock.now()),
      slowDown: remote.code === 'SlowDown',
    },
    storageError(response.status, remote, put),
  );
}

export async function putMedia(put: MediaPut, options: PutMediaOptions): Promise<void> {
  const left = options.issuedAt + UPLOAD_URL_LIFETIME_MS - options.clock.now();
  await runWithRetry(() => putOnce(put, options), {
    what: 'upload the file to the media storage',
    policy: { ...options.retry, budgetMs: Math.max(1, Math.min(options.retry.budgetMs, left)) },
    idempotency: 'idempotent',
    clock: options.clock,
    random: options.random,
    signal: options.signal,
    onRetry: options.onRetry,
  });
}
