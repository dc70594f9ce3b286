/**
 * PUT one segment to the pre-signed URL (PROTOCOL.md §3). This is a separate code path from the
 * {api} calls on purpose: it has no token provider to ask, so it cannot send an Authorization
 * header — the URL carries its own credentials and a bearer token must never reach the storage
 * host. One attempt per call; the engine decides about retries.
 */
import type { Dispatcher } from 'undici';
import { sendRequest, readBodyText, discardBody, headerValue } from '../http/send-request.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { parseS3Error, type RemoteError } from './error-body.js';

export interface PutSegmentRequest {
  url: string;
  /** Exactly the segment's bytes; sent as they are (no copy). */
  body: Buffer;
  /** Offset of the first byte in the file. */
  start: number;
  totalSize: number;
  /** The media type declared at initiation, byte for byte. */
  contentType: string;
  /** base64 SHA-256 of `body`, sent as x-amz-checksum-sha256 for the storage to verify. */
  checksumBase64: string;
  signal?: AbortSignal | undefined;
}

export type PutSegmentResponse =
  | { ok: true; status: number; etag: string | undefined }
  | { ok: false; status: number; error: RemoteError; retryAfterMs: number | undefined };

/** Time allowed to send a body and get the answer: 60 s plus 32 KiB/s for the body. */
function headersTimeoutFor(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 32_768) * 1000;
}

export async function putSegment(dispatcher: Dispatcher, request: PutSegmentRequest, now: () => number): Promise<PutSegmentResponse> {
  const length = request.body.length;
  const end = request.start + length - 1;
  const response = await sendRequest({
    dispatcher,
    url: request.url,
    method: 'PUT',
    headers: {
      'content-range': `bytes ${request.start}-${end}/${request.totalSize}`,
      'content-length': String(length),
      'content-type': request.contentType,
      'x-amz-checksum-sha256': request.checksumBase64,
    },
    body: request.body,
    signal: request.signal,
    headersTimeoutMs: headersTimeoutFor(length),
  });
  if (response.status === 200 || response.status === 206) {
    await discardBody(response.body);
    const etag = headerValue(response.headers, 'etag');
    return { ok: true, status: response.status, etag: etag === undefined ? undefined : etag.replace(/^(W\/)?"|"$/g, '').toLowerCase() };
  }
  const { text } = await readBodyText(response.body, 64 * 1024);
  return {
    ok: false,
    status: response.status,
    error: parseS3Error(text),
    retryAfterMs: parseRetryAfter(response.headers['retry-after'], now()),
  };
}
