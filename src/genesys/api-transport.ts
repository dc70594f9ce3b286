/**
 * Sends one {api} call: bearer token (fetched or cached), the per-token rate limiter, the retry
 * policy, and the PROTOCOL.md §1 rule for 401 (drop the token, fetch once more, repeat the call
 * once). Error responses become UploadErrors through `apiError`.
 */
import type { Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { InternalError, type UploadError } from '../errors/index.js';
import type { TokenProvider } from '../auth/token-provider.js';
import type { ApiRateLimiter } from '../http/api-rate-limiter.js';
import type { Clock, Random } from '../http/clock.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { AttemptFailure, runWithRetry, type RetryInfo } from '../http/retry-runner.js';
import type { Idempotency, RetryPolicy } from '../http/retry-policy.js';
import { discardBody, headerValue, readBodyText, sendRequest, type SentResponse } from '../http/send-request.js';
import { parseGenesysError, type RemoteError } from './error-body.js';
import { apiError, type ApiErrorContext } from './map-error.js';

export type RetryRoute = 'api' | 'token';

export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Told about each retry of this call (and of a token fetch it waits for). */
  onRetry?: ((info: RetryInfo & { route: RetryRoute }) => void) | undefined;
  /** Replaces the client's retry policy for this call. */
  retry?: RetryPolicy | undefined;
}

export interface ApiCall {
  /** A verb phrase for messages: "complete the upload". */
  what: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  json?: unknown;
  headers?: Record<string, string>;
  idempotency: Idempotency;
  /** Success statuses. */
  ok: readonly number[];
  /** Largest response body accepted (default 1 MiB). */
  maxBytes?: number;
  context?: Omit<ApiErrorContext, 'what'>;
  /** Special-cases an error response before the generic mapping (e.g. checksum.mismatch). */
  mapError?: (status: number, remote: RemoteError) => UploadError | undefined;
}

export interface ApiTransportOptions {
  apiUrl: string;
  dispatcher: Dispatcher;
  /** Any source of bearer tokens: the client-credentials provider, or a caller-supplied user token. */
  tokens: Pick<TokenProvider, 'getToken' | 'invalidate'>;
  limiter: ApiRateLimiter;
  clock: Clock;
  random: Random;
  retry: RetryPolicy;
}

export class ApiTransport {
  constructor(readonly options: ApiTransportOptions) {}

  /** Performs the call and parses its JSON body (undefined for an empty body, e.g. 204). */
  async json(call: ApiCall, options: CallOptions = {}): Promise<{ status: number; body: unknown }> {
    return this.#run(call, options, async (response) => {
      const { text, truncated } = await readBodyText(response.body, call.maxBytes ?? 1024 * 1024);
      if (truncated) throw new InternalError('api.bad_response', `Could not ${call.what}: the response body is larger than expected.`);
      if (text.trim() === '') return { status: response.status, body: undefined };
      try {
        return { status: response.status, body: JSON.parse(text) as unknown };
      } catch {
        throw new InternalError('api.bad_response', `Could not ${call.what}: the API answered HTTP ${response.status} with a body that is not JSON.`);
      }
    });
  }

  /** Performs the call and hands over the response body unread (the caller must consume it). */
  async stream(call: ApiCall, options: CallOptions = {}): Promise<{ status: number; headers: SentResponse['headers']; body: Readable }> {
    return this.#run(call, options, async (response) => ({ status: response.status, headers: response.headers, body: response.body }));
  }

  async #run<T>(call: ApiCall, options: CallOptions, onOk: (response: SentResponse) => Promise<T>): Promise<T> {
    const { clock, tokens, limiter } = this.options;
    const signal = options.signal;
    const tokenRetry = (info: RetryInfo): void => options.onRetry?.({ ...info, route: 'token' });
    const attempt = async (): Promise<T> => {
      for (let pass = 0; ; pass++) {
        const token = await tokens.getToken({ signal, onRetry: tokenRetry });
        await limiter.acquire(token, signal);
        const response = await sendRequest({
          dispatcher: this.options.dispatcher,
          url: `${this.options.apiUrl}${call.path}`,
          method: call.method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(call.json !== undefined && { 'content-type': 'application/json' }),
            ...call.headers,
          },
          body: call.json === undefined ? undefined : JSON.stringify(call.json),
          signal,
        });
        limiter.observe(token, response.headers);
        if (response.status === 401 && pass === 0) {
          // The token expired early or was revoked: one fresh token, one more try (PROTOCOL.md §1).
          await discardBody(response.body);
          tokens.invalidate(token);
          continue;
        }
        if (call.ok.includes(response.status)) return onOk(response);
        const { text } = await readBodyText(response.body, 256 * 1024);
        const remote = parseGenesysError(text, headerValue(response.headers, 'inin-correlation-id'));
        const error = call.mapError?.(response.status, remote) ?? apiError(response.status, remote, { what: call.what, ...call.context });
        throw new AttemptFailure(
          { kind: 'status', status: response.status, retryAfterMs: parseRetryAfter(response.headers['retry-after'], clock.now()) },
          error,
        );
      }
    };
    return runWithRetry(attempt, {
      what: call.what,
      policy: options.retry ?? this.options.retry,
      idempotency: call.idempotency,
      clock,
      random: this.options.random,
      signal,
      onRetry: (info) => options.onRetry?.({ ...info, route: 'api' }),
    });
  }
}
