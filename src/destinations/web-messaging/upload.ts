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
import { UploadWatch } from './upload-watch.js';

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

export async function uploadAttachment(context: UploadContext, file: AttachmentFile): Promise<UploadedAttachment> {
  const { socket, clock, signal } = context;
  const maxRequests = context.maxRequests ?? 5;
  const what = `request an upload URL for "${file.fileName}"`;
  let last: UploadError | undefined;
  for (let requests = 1; requests <= maxRequests; requests++) {
    if (last !== undefined) context.onRetry?.({ attempt: requests - 1, delayMs: 0, reason: last.code, route: 'api', code: last.code });
    await socket.ensureOpen(signal);
    const attachmentId = randomUUID();
    const watch = new UploadWatch(socket, attachmentId);
    try {
      let frame: Frame;
      try {
        frame = await socket.request(
          { action: 'onAttachment', attachmentId, fileName: file.fileName, fileType: file.fileType, fileSize: file.size, errorsAsJson: true },
          { what, signal, accepts: (f) => f.class === 'PresignedUrlResponse' || f.class === 'GenerateUrlError' },
        );
      } catch (error) {
        if (!isLostAnswer(error)) throw error;
        last = error as UploadError;
        continue;
      }
      if (frame.class !== 'PresignedUrlResponse' || isErrorFrame(frame)) throw frameError(frame, { what, fileName: file.fileName, fileType: file.fileType, fileSize: file.size });
      const presigned = parsePresignedUrl(frame);
      if (presigned === undefined) throw new InternalError('webmessaging.bad_response', `The platform's answer to ${what} had no usable upload URL.`);
      if (presigned.attachmentId !== undefined) watch.alsoKnownAs(presigned.attachmentId);
      let sha256: string;
      try {
        ({ sha256 } = await putFile({ url: presigned.url, headers: presigned.headers, filePath: file.filePath, size: file.size, fileType: file.fileType, dispatcher: context.dispatcher, clock, random: context.random, policy: context.policy, signal, onRetry: (info) => context.onRetry?.({ ...info, route: 'storage' }) }));
      } catch (error) {
        if (!(error instanceof UrlExpiredError)) throw error;
        last = error;
        continue;
      }
      const verdict = await watch.wait(clock, context.eventTimeoutMs ?? 60_000, signal);
      switch (verdict.outcome) {
        case 'success':
          return { attachmentId: presigned.attachmentId ?? attachmentId, sha256, downloadUrl: verdict.downloadUrl, requests };
        case 'failure':
          throw frameError(verdict.frame, { what: 'store the attachment', fileName: file.fileName, fileType: file.fileType, fileSize: file.size });
        case 'dropped':
          if (!isLostAnswer(verdict.error)) throw verdict.error;
          last = verdict.error;
          continue;
        case 'timeout':
          last = new TransientError('webmessaging.no_upload_event', `The platform did not confirm the upload of "${file.fileName}" within ${Math.round((context.eventTimeoutMs ?? 60_000) / 1000)} s of storing it.`);
          continue;
      }
    } finally {
      watch.stop();
    }
  }
  throw new TransientError('webmessaging.upload_incomplete', `Gave up attaching "${file.fileName}" after ${maxRequests} upload requests; the last problem was: ${last?.message ?? 'unknown'} Try again later.`, { cause: last });
}

/** A request whose answer never came (drop or silence): the upload is simply requested again. */
export function isLostAnswer(error: unknown): boolean {
  return error instanceof UploadError && (error.code === 'webmessaging.connection_lost' || error.code === 'webmessaging.no_answer');
}
