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
import { systemClock, systemRandom, type Clock, type Random } from '../../http/clock.js';
import { answerOf, headersTimeoutFor, MAX_ERROR_BODY, partHeaders, partStored, type PartAnswer, type PartPut, type PartTransport } from '../../upload/put-part.js';

export interface S3TransportOptions {
  clock?: Clock | undefined;
  random?: Random | undefined;
  /** Connections per host; default 40 (parts in flight are at most 32). */
  connections?: number | undefined;
}

export interface S3Transport extends PartTransport {
  close(): Promise<void>;
}

/** Longest silence while an answer's body arrives. */
const BODY_TIMEOUT_MS = 60_000;

function timeout(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

/** The abort as node's request reports it (an AbortError whose cause is the signal's reason). */
function aborted(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/**
 * The answer's body: discarded (so the socket is reused) or, for an error, its first 64 KiB as
 * text. An abort of `signal` meanwhile is thrown as the abort, not as the cut-off answer it causes
 * (which would read as a network failure to retry).
 */
function readBody(response: IncomingMessage, keep: boolean, signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => reject(signal?.aborted === true ? aborted(signal) : error);
    const chunks: Buffer[] = [];
    let size = 0;
    response.setTimeout(BODY_TIMEOUT_MS, () => response.destroy(timeout(`no answer body for ${BODY_TIMEOUT_MS} ms`)));
    response.on('data', (chunk: Buffer) => {
      if (keep && size < MAX_ERROR_BODY) chunks.push(chunk.subarray(0, MAX_ERROR_BODY - size));
      size += chunk.length;
    });
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', fail);
    response.once('aborted', () => fail(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' })));
  });
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
      const headers = partHeaders(put);
      const secure = url.protocol === 'https:';
      const request = (secure ? httpsRequest : httpRequest)(url, { method: 'PUT', headers, agent: secure ? https : http, ...(put.signal !== undefined && { signal: put.signal }) });
      // Counted from the socket on: a PUT queued behind others on the shared agent is not late yet.
      const limit = headersTimeoutFor(put.body.length);
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      request.once('socket', () => {
        if (!settled) timer = setTimeout(() => request.destroy(timeout(`no answer within ${limit} ms`)), limit);
      });
      request.once('response', (response) => {
        settled = true;
        clearTimeout(timer);
        resolve(response);
      });
      request.on('error', (error) => {
        settled = true;
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
      const text = await readBody(response, !partStored(status), put.signal);
      return answerOf(status, response.headers, text, () => clock.now());
    },
    async close() {
      if (closed) return;
      closed = true;
      http.destroy();
      https.destroy();
    },
  };
}
