/**
 * The engine's part transport for an S3 store: the PUTs of the parts on node's own HTTP client
 * (keep-alive agents, the exact headers a session gives plus Content-Length, never an
 * Authorization header — the pre-signed URL carries the credentials), and the clock and
 * randomness its retries use. Not undici: a process that only sends to S3 then never loads it
 * (about 16 MiB before the first byte), and node:http writes a part's buffer as it is. The AWS
 * SDK is not on this path either: it would buffer, re-hash and add its own checksums. Answers are
 * read the S3 way (ETag, XML error bodies, Retry-After); a failure to get one (a reset, a refused
 * connection, no answer in time) is thrown, and the engine retries it like any network failure.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { parseS3Error } from '../../genesys/error-body.js';
import { systemClock, systemRandom, type Clock, type Random } from '../../http/clock.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import type { PartAnswer, PartPut, PartTransport } from '../../upload/put-part.js';

export interface S3TransportOptions {
  clock?: Clock | undefined;
  random?: Random | undefined;
  /** Connections per host; default 40 (parts in flight are at most 32). */
  connections?: number | undefined;
}

export interface S3Transport extends PartTransport {
  close(): Promise<void>;
}

/** Header names a part PUT never carries, whatever a session says. */
const FORBIDDEN = new Set(['authorization', 'content-length', 'host']);
/** The most of an error body read (S3's XML errors are a few hundred bytes). */
const MAX_ERROR_BODY = 64 * 1024;
/** Longest silence while an answer's body arrives. */
const BODY_TIMEOUT_MS = 60_000;

/** Time allowed to send a body and get the answer's headers: 60 s plus 32 KiB/s for the body. */
function headersTimeoutFor(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 32_768) * 1000;
}

function timeout(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

/** The answer's body: discarded (so the socket is reused) or, for an error, its first 64 KiB as text. */
function readBody(response: IncomingMessage, keep: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.setTimeout(BODY_TIMEOUT_MS, () => response.destroy(timeout(`no answer body for ${BODY_TIMEOUT_MS} ms`)));
    response.on('data', (chunk: Buffer) => {
      if (keep && size < MAX_ERROR_BODY) chunks.push(chunk.subarray(0, MAX_ERROR_BODY - size));
      size += chunk.length;
    });
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
    response.once('aborted', () => reject(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' })));
  });
}

function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createS3Transport(options: S3TransportOptions = {}): S3Transport {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const agentOptions = { keepAlive: true, maxSockets: options.connections ?? 40, keepAliveMsecs: 30_000, scheduling: 'lifo' as const };
  const http = new HttpAgent(agentOptions);
  const https = new HttpsAgent(agentOptions);
  let closed = false;

  const send = (put: PartPut): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const url = new URL(put.url);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(put.headers)) {
        if (!FORBIDDEN.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
      }
      headers['content-length'] = String(put.body.length);
      const secure = url.protocol === 'https:';
      const request = (secure ? httpsRequest : httpRequest)(url, { method: 'PUT', headers, agent: secure ? https : http, ...(put.signal !== undefined && { signal: put.signal }) });
      const limit = headersTimeoutFor(put.body.length);
      const timer = setTimeout(() => request.destroy(timeout(`no answer within ${limit} ms`)), limit);
      request.once('response', (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(put.body);
    });

  return {
    clock,
    random,
    async putPart(put: PartPut): Promise<PartAnswer> {
      const response = await send(put);
      const status = response.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      const text = await readBody(response, !ok);
      if (ok) {
        const etag = header(response, 'etag');
        return { ok: true, status, etag: etag === undefined ? undefined : etag.replace(/^(W\/)?"|"$/g, '').toLowerCase() };
      }
      return { ok: false, status, error: parseS3Error(text), retryAfterMs: parseRetryAfter(response.headers['retry-after'], clock.now()) };
    },
    async close() {
      if (closed) return;
      closed = true;
      http.destroy();
      https.destroy();
    },
  };
}
