/**
 * The one PUT of a whole attachment to its pre-signed URL (WEB-MESSAGING.md §4.4): every header the
 * server returned copied as given, Content-Type exactly the declared type, Content-Length, and no
 * Authorization (this path has no token to send). The file is streamed from disk and hashed on
 * the way. Transient failures (5xx, resets) are retried on the same URL; an expired URL is reported
 * to the caller, who asks for a new one. Errors show the URL without its query (the signature).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream';
import type { Dispatcher } from 'undici';
import { IntegrityError, RejectedError, TransientError, UploadError } from '../../errors/index.js';
import type { Clock, Random } from '../../http/clock.js';
import { networkErrorCode } from '../../http/network-errors.js';
import { redactUrl } from '../../http/redact-url.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import { AttemptFailure, runWithRetry, type RetryInfo } from '../../http/retry-runner.js';
import type { RetryPolicy } from '../../http/retry-policy.js';
import { discardBody, readBodyText, sendRequest } from '../../http/send-request.js';
import { parseS3Error } from '../../genesys/error-body.js';

export interface PutFileRequest {
  url: string;
  /** The PresignedUrlResponse's headers, copied as given. */
  headers: Record<string, string>;
  filePath: string;
  size: number;
  /** The fileType sent in onAttachment, byte for byte. */
  fileType: string;
  dispatcher: Dispatcher;
  clock: Clock;
  random: Random;
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  onRetry?: ((info: RetryInfo) => void) | undefined;
}

/** Headers a pre-signed response may not set for us: we set them, or never send them. */
const OURS = new Set(['content-type', 'content-length', 'authorization', 'host', 'transfer-encoding', 'connection']);

/** The headers of the PUT: the server's, then ours. */
export function putHeaders(given: Record<string, string>, fileType: string, size: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === 'string' && !OURS.has(name.toLowerCase())) headers[name] = value;
  }
  headers['content-type'] = fileType;
  headers['content-length'] = String(size);
  return headers;
}

export class UrlExpiredError extends TransientError {
  constructor(shown: string) {
    super('webmessaging.url_expired', `The upload URL ${shown} expired before the file was stored.`);
  }
}

/** PUTs the whole file; resolves with its SHA-256 (hex) as sent. Throws UrlExpiredError when the URL is past its life. */
export async function putFile(request: PutFileRequest): Promise<{ sha256: string; status: number }> {
  const shown = redactUrl(request.url);
  const headers = putHeaders(request.headers, request.fileType, request.size);
  return runWithRetry(
    async () => {
      const hash = createHash('sha256');
      const source = createReadStream(request.filePath, { start: 0, end: Math.max(0, request.size - 1), highWaterMark: 256 * 1024 });
      const hasher = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const body = request.size === 0 ? '' : pipeline(source, hasher, () => undefined);
      if (request.size === 0) source.destroy();
      let response;
      try {
        response = await sendRequest({
          dispatcher: request.dispatcher,
          url: request.url,
          method: 'PUT',
          headers,
          body: body as never,
          signal: request.signal,
          headersTimeoutMs: 60_000 + Math.ceil(request.size / 32_768) * 1000,
        });
      } catch (error) {
        const code = networkErrorCode(error);
        if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
          throw new IntegrityError('integrity.file_changed', `The file changed while it was being sent (it is no longer ${request.size} bytes). Send it again once it is complete.`, { cause: error });
        }
        throw error;
      } finally {
        source.destroy();
      }
      if (response.status >= 200 && response.status < 300) {
        await discardBody(response.body);
        return { sha256: hash.digest('hex'), status: response.status };
      }
      const { text } = await readBodyText(response.body, 64 * 1024);
      const remote = parseS3Error(text);
      const said = remote.message === undefined ? '' : ` The storage said: ${remote.message}`;
      const options = { status: response.status, ...(remote.code !== undefined && { remoteCode: remote.code }), ...(remote.contextId !== undefined && { contextId: remote.contextId }) };
      if (response.status === 403 && (remote.code === 'AccessDenied' && /expired/i.test(remote.message ?? '') || remote.code === 'ExpiredToken')) throw new UrlExpiredError(shown);
      const error: UploadError =
        response.status >= 500 || response.status === 429 || response.status === 408
          ? new TransientError('webmessaging.storage_unavailable', `The storage at ${shown} failed (HTTP ${response.status}${remote.code === undefined ? '' : ` ${remote.code}`}).${said}`, options)
          : new RejectedError('webmessaging.storage_rejected', `The storage at ${shown} refused the file (HTTP ${response.status}${remote.code === undefined ? '' : ` ${remote.code}`}).${said} This is a fault of this client or of the platform: please report it.`, options);
      throw new AttemptFailure(
        { kind: 'status', status: response.status, retryAfterMs: parseRetryAfter(response.headers['retry-after'], request.clock.now()), slowDown: remote.code === 'SlowDown' },
        error,
      );
    },
    { what: 'store the attachment', policy: request.policy, idempotency: 'idempotent', clock: request.clock, random: request.random, signal: request.signal, onRetry: request.onRetry },
  );
}
