/**
 * The attachment's steps around the PUT (WEB-MESSAGING.md §4.2-§4.5), for the destination's
 * session (destination.ts), whose one part the engine PUTs: onAttachment → PresignedUrlResponse
 * (the URL and the headers to PUT with) → the success or failure event. A GenerateUrlError and an
 * UploadFailureEvent are the platform's verdict (no retry); a dropped socket before the success
 * event, or no event in time, means the upload is requested again (a new attachment id).
 */
import { randomUUID } from 'node:crypto';
import { InternalError, TransientError, UploadError } from '../../errors/index.js';
import { frameError } from './errors.js';
import { bodyObject, isErrorFrame, isObject, str, type Frame } from './frames.js';
import type { WebMessagingSocket } from './socket.js';
import { UploadWatch, type UploadVerdict } from './upload-watch.js';

/** What onAttachment announces. */
export interface AttachmentFacts {
  /** Sanitised, with its extension. */
  fileName: string;
  /** Bare media type. */
  fileType: string;
  size: number;
}

/** Headers a pre-signed response may not set for us: we set them, or never send them. */
const OURS = new Set(['content-type', 'content-length', 'authorization', 'host', 'transfer-encoding', 'connection']);

/**
 * The headers of the PUT (§4.4): every header the server returned, copied as given, then
 * Content-Type exactly the declared type and Content-Length; never Authorization.
 */
export function putHeaders(given: Record<string, string>, fileType: string, size: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === 'string' && !OURS.has(name.toLowerCase())) headers[name] = value;
  }
  headers['content-type'] = fileType;
  headers['content-length'] = String(size);
  return headers;
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
export async function requestUploadUrl(socket: WebMessagingSocket, file: AttachmentFacts, signal?: AbortSignal): Promise<GrantedUpload> {
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

/**
 * What a verdict other than success means: the platform's refusal is thrown at once (no retry);
 * a drop or silence is returned, and the upload is requested again.
 */
export function verdictError(verdict: Exclude<UploadVerdict, { outcome: 'success' }>, file: AttachmentFacts, timeoutMs: number): UploadError {
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
