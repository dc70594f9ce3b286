/**
 * One attachment, end to end (WEB-MESSAGING.md §4.2-§4.5): onAttachment → PresignedUrlResponse →
 * one streamed PUT → the success or failure event. A GenerateUrlError and an UploadFailureEvent are
 * the platform's verdict (no retry). A dropped socket before the success event, an expired URL, or
 * no event within 60 s of the PUT's answer: the upload is requested again (a new attachment id), a
 * bounded number of times.
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { InternalError, TransientError, UploadError } from '../../errors/index.js';
import type { Clock, Random } from '../../http/clock.js';
import type { RetryInfo } from '../../http/retry-runner.js';
import type { RetryPolicy } from '../../http/retry-policy.js';
import { frameError } from './errors.js';
import { bodyObject, isErrorFrame, isObject, str, type Frame } from './frames.js';
import { putFile, UrlExpiredError } from './put-file.js';
import type { WebMessagingSocket } from './socket.js';
import { UploadWatch, type UploadVerdict } from './upload-watch.js';

export interface AttachmentFile {
  filePath: string;
  /** Sanitised, with its extension. */
  fileName: string;
  /** Bare media type. */
  fileType: string;
  size: number;
}

export interface UploadContext {
  socket: WebMessagingSocket;
  dispatcher: Dispatcher;
  clock: Clock;
  random: Random;
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  /** Wait for the verdict after the PUT's answer; default 60 s [choice]. */
  eventTimeoutMs?: number | undefined;
  /** onAttachment requests per upload at most; default 5. */
  maxRequests?: number | undefined;
  onRetry?: ((info: RetryInfo & { route: 'storage' | 'api' }) => void) | undefined;
}

export interface UploadedAttachment {
  attachmentId: string;
  sha256: string;
  downloadUrl: string | undefined;
  /** onAttachment requests made (1 when nothing went wrong). */
  requests: number;
}

export interface PresignedUrl {
  attachmentId: string | undefined;
  url: string;
  headers: Record<string, string>;
}

/** Reads a PresignedUrlResponse body; undefined when it has no usable URL. */
export function parsePresignedUrl(frame: Frame): PresignedUrl | undefined {
  const body = bodyObject(frame);
  const url = str(body['url']);
  if (url === undefined || !/^https?:\/\//i.test(url)) return undefined;
  const headers: Record<string, string> = {};
  if (isObject(body['headers'])) {
    for (const [name, value] of Object.entries(body['headers'])) {
      if (typeof value === 'string') headers[name] = value;
      else if (typeof value === 'number') headers[name] = String(value);
    }
  }
  return { attachmentId: str(body['attachmentId']), url, headers };
}

/** An upload URL granted, with the watch for its verdict already running. */
export interface GrantedUpload {
  /** The server's id when it named one, else ours. */
  attachmentId: string;
  url: string;
  headers: Record<string, string>;
  watch: UploadWatch;
}

/**
 * Sends onAttachment (the watch starts first) and returns the URL, or throws the mapped
 * GenerateUrlError; a lost answer throws `webmessaging.connection_lost` / `no_answer`.
 */
export async function requestUploadUrl(socket: WebMessagingSocket, file: Omit<AttachmentFile, 'filePath'>, signal?: AbortSignal): Promise<GrantedUpload> {
  const what = `request an upload URL for "${file.fileName}"`;
  await socket.ensureOpen(signal);
  const attachmentId = randomUUID();
  const watch = new UploadWatch(socket, attachmentId);
  try {
    const frame = await socket.request(
      { action: 'onAttachment', attachmentId, fileName: file.fileName, fileType: file.fileType, fileSize: file.size, errorsAsJson: true },
      { what, signal, accepts: (f) => f.class === 'PresignedUrlResponse' || f.class === 'GenerateUrlError' },
    );
    if (frame.class !== 'PresignedUrlResponse' || isErrorFrame(frame)) throw frameError(frame, { what, fileName: file.fileName, fileType: file.fileType, fileSize: file.size });
    const presigned = parsePresignedUrl(frame);
    if (presigned === undefined) throw new InternalError('webmessaging.bad_response', `The platform's answer to ${what} had no usable upload URL.`);
    if (presigned.attachmentId !== undefined) watch.alsoKnownAs(presigned.attachmentId);
    return { attachmentId: presigned.attachmentId ?? attachmentId, url: presigned.url, headers: presigned.headers, watch };
  } catch (error) {
    watch.stop();
    throw error;
  }
}

export async function uploadAttachment(context: UploadContext, file: AttachmentFile): Promise<UploadedAttachment> {
  const { socket, clock, signal } = context;
  const maxRequests = context.maxRequests ?? 5;
  let last: UploadError | undefined;
  for (let requests = 1; requests <= maxRequests; requests++) {
    if (last !== undefined) context.onRetry?.({ attempt: requests - 1, delayMs: 0, reason: last.code, route: 'api', code: last.code });
    let granted: GrantedUpload;
    try {
      granted = await requestUploadUrl(socket, file, signal);
    } catch (error) {
      if (!isLostAnswer(error)) throw error;
      last = error as UploadError;
      continue;
    }
    const { watch } = granted;
    try {
      let sha256: string;
      try {
        ({ sha256 } = await putFile({ url: granted.url, headers: granted.headers, filePath: file.filePath, size: file.size, fileType: file.fileType, dispatcher: context.dispatcher, clock, random: context.random, policy: context.policy, signal, onRetry: (info) => context.onRetry?.({ ...info, route: 'storage' }) }));
      } catch (error) {
        if (!(error instanceof UrlExpiredError)) throw error;
        last = error;
        continue;
      }
      const verdict = await watch.wait(clock, context.eventTimeoutMs ?? 60_000, signal);
      if (verdict.outcome === 'success') return { attachmentId: granted.attachmentId, sha256, downloadUrl: verdict.downloadUrl, requests };
      last = verdictError(verdict, file, context.eventTimeoutMs ?? 60_000);
    } finally {
      watch.stop();
    }
  }
  throw new TransientError('webmessaging.upload_incomplete', `Gave up attaching "${file.fileName}" after ${maxRequests} upload requests; the last problem was: ${last?.message ?? 'unknown'} Try again later.`, { cause: last });
}

/**
 * What a verdict other than success means: the platform's refusal is thrown at once (no retry);
 * a drop or silence is returned, and the upload is requested again.
 */
export function verdictError(verdict: Exclude<UploadVerdict, { outcome: 'success' }>, file: { fileName: string; fileType: string; size: number }, timeoutMs: number): UploadError {
  switch (verdict.outcome) {
    case 'failure':
      throw frameError(verdict.frame, { what: 'store the attachment', fileName: file.fileName, fileType: file.fileType, fileSize: file.size });
    case 'dropped':
      if (!isLostAnswer(verdict.error)) throw verdict.error;
      return verdict.error;
    case 'timeout':
      return new TransientError('webmessaging.no_upload_event', `The platform did not confirm the upload of "${file.fileName}" within ${Math.round(timeoutMs / 1000)} s of storing it.`);
  }
}

/** A request whose answer never came (drop or silence): the upload is simply requested again. */
export function isLostAnswer(error: unknown): boolean {
  return error instanceof UploadError && (error.code === 'webmessaging.connection_lost' || error.code === 'webmessaging.no_answer');
}
