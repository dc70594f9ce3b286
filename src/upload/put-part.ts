/**
 * PUT one part to a store's URL, with exactly the headers the store's session gives plus
 * Content-Length. This is a separate code path from the API calls on purpose: it has no token
 * provider to ask, so it cannot send an Authorization header — the URL (or the session's headers)
 * carries its own credentials and a bearer token must never reach a storage host. One attempt per
 * call; the engine decides about retries. Answers are read the S3 way (XML error bodies, ETag).
 */
import type { Dispatcher } from 'undici';
import { sendRequest, readBodyText, discardBody, headerValue } from '../http/send-request.js';
import { parseRetryAfter } from '../http/retry-after.js';
import type { Clock, Random } from '../http/clock.js';
import { parseS3Error, type RemoteError } from '../genesys/error-body.js';

export interface PartPut {
  url: string;
  /** Sent as given (no Authorization: refused here); Content-Length is added. */
  headers: Record<string, string>;
  /** Exactly the part's bytes; sent as they are (no copy). */
  body: Buffer;
  signal?: AbortSignal | undefined;
}

export type PartAnswer =
  | { ok: true; status: number; etag: string | undefined }
  | { ok: false; status: number; error: RemoteError; retryAfterMs: number | undefined };

/** What the engine needs to move parts: a PUT, and the clock and randomness its retries use. */
export interface PartTransport {
  putPart(request: PartPut): Promise<PartAnswer>;
  readonly clock: Clock;
  readonly random: Random;
}

/** Time allowed to send a body and get the answer: 60 s plus 32 KiB/s for the body. */
function headersTimeoutFor(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 32_768) * 1000;
}

/** Header names a part PUT never carries, whatever a session says. */
const FORBIDDEN = new Set(['authorization', 'content-length', 'host']);

export async function putPart(dispatcher: Dispatcher, request: PartPut, now: () => number): Promise<PartAnswer> {
  const length = request.body.length;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!FORBIDDEN.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  headers['content-length'] = String(length);
  const response = await sendRequest({
    dispatcher,
    url: request.url,
    method: 'PUT',
    headers,
    body: request.body,
    signal: request.signal,
    headersTimeoutMs: headersTimeoutFor(length),
  });
  if (response.status >= 200 && response.status < 300) {
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
