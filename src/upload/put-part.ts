/**
 * PUT one part to a store's URL, with exactly the headers the store's session gives plus
 * Content-Length. This is a separate code path from the API calls on purpose: it has no token
 * provider to ask, so it cannot send an Authorization header — the URL (or the session's headers)
 * carries its own credentials and a bearer token must never reach a storage host. One attempt per
 * call; the engine decides about retries. Answers are read the S3 way (XML error bodies, ETag).
 * The request's headers, its timeout and the reading of an answer are exported for the S3
 * transport (node:http), so both transports send and read alike.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
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

/** The most of an error answer's body read (S3's XML errors are a few hundred bytes). */
export const MAX_ERROR_BODY = 64 * 1024;

/** Time allowed to send a body and get the answer's headers: 60 s plus 32 KiB/s for the body. */
export function headersTimeoutFor(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 32_768) * 1000;
}

/** Header names a part PUT never carries, whatever a session says. */
const FORBIDDEN = new Set(['authorization', 'content-length', 'host']);

/** The headers of a part PUT: the session's (lower case, never Authorization or Host) plus Content-Length. */
export function partHeaders(put: PartPut): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(put.headers)) {
    if (!FORBIDDEN.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  headers['content-length'] = String(put.body.length);
  return headers;
}

/** An ETag without its quotes (or weak W/ mark), lower case. */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^(W\/)?"|"$/g, '').toLowerCase();
}

/** True when the part was stored: the answer's body is then not needed (read only for an error). */
export function partStored(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The answer to a part PUT: its ETag when stored, else S3's error (from `text`, the body) and Retry-After. */
export function answerOf(status: number, headers: IncomingHttpHeaders, text: string, now: () => number): PartAnswer {
  if (partStored(status)) {
    const value = headers.etag;
    const etag = Array.isArray(value) ? value[0] : value;
    return { ok: true, status, etag: etag === undefined ? undefined : unquoteEtag(etag) };
  }
  return { ok: false, status, error: parseS3Error(text), retryAfterMs: parseRetryAfter(headers['retry-after'], now()) };
}

/**
 * Loaded on the first undici PUT only: the S3 transport imports this module's helpers, and a
 * process that only sends to S3 must not load undici (about 16 MiB) for them.
 */
let undiciHttp: Promise<typeof import('../http/send-request.js')> | undefined;

export async function putPart(dispatcher: Dispatcher, request: PartPut, now: () => number): Promise<PartAnswer> {
  const { sendRequest, readBodyText, discardBody } = await (undiciHttp ??= import('../http/send-request.js'));
  const response = await sendRequest({
    dispatcher,
    url: request.url,
    method: 'PUT',
    headers: partHeaders(request),
    body: request.body,
    signal: request.signal,
    headersTimeoutMs: headersTimeoutFor(request.body.length),
  });
  if (partStored(response.status)) {
    await discardBody(response.body);
    return answerOf(response.status, response.headers, '', now);
  }
  const { text } = await readBodyText(response.body, MAX_ERROR_BODY);
  return answerOf(response.status, response.headers, text, now);
}
