/**
 * OAuth 2.0 client credentials (PROTOCOL.md §1): one cached access token per client, refreshed
 * ahead of expiry. Concurrent callers share one in-flight request; a caller that gets 401 from the
 * API calls `invalidate(token)` and asks again, and only the first such call drops the token.
 *
 * The refresh margin (default 120 s) is clamped to half the token's lifetime, so a short-lived
 * token (a 2 s one in tests) is still used instead of being refreshed on every call.
 */
import type { Dispatcher } from 'undici';
import { AuthError, InternalError, TransientError, type UploadError } from '../errors/index.js';
import { raceSignal, type Clock, type Random } from '../http/clock.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { AttemptFailure, runWithRetry, type RetryInfo } from '../http/retry-runner.js';
import type { RetryPolicy } from '../http/retry-policy.js';
import { headerValue, readBodyText, sendRequest } from '../http/send-request.js';
import { parseGenesysError, type RemoteError } from '../genesys/error-body.js';

export const DEFAULT_REFRESH_MARGIN_MS = 120_000;

export interface TokenProviderOptions {
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  dispatcher: Dispatcher;
  clock: Clock;
  random: Random;
  retry: RetryPolicy;
  refreshMarginMs?: number;
}

export interface GetTokenOptions {
  signal?: AbortSignal | undefined;
  onRetry?: ((info: RetryInfo) => void) | undefined;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

export class TokenProvider {
  readonly #options: TokenProviderOptions;
  readonly #marginMs: number;
  #cached: CachedToken | undefined;
  #inFlight: Promise<CachedToken> | undefined;
  /** Ends a fetch nobody waits for any more when the client closes. */
  readonly #closing = new AbortController();
  /** Token requests made, for tests and diagnostics. */
  fetches = 0;

  constructor(options: TokenProviderOptions) {
    const margin = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    if (!(margin >= 0) || !Number.isFinite(margin)) throw new RangeError(`refreshMarginMs must be a finite number >= 0; got ${margin}`);
    this.#options = options;
    this.#marginMs = margin;
  }

  async getToken(options: GetTokenOptions = {}): Promise<string> {
    const cached = this.#cached;
    if (cached !== undefined && this.#options.clock.now() < cached.refreshAt) return cached.value;
    if (this.#inFlight === undefined) {
      const fetching = this.#fetch(options.onRetry).finally(() => {
        if (this.#inFlight === fetching) this.#inFlight = undefined;
      });
      this.#inFlight = fetching;
    }
    return (await raceSignal(this.#inFlight, options.signal)).value;
  }

  /** The API rejected `token` (401): forget it unless a newer one already replaced it. */
  invalidate(token: string): void {
    if (this.#cached?.value === token) this.#cached = undefined;
  }

  close(): void {
    this.#closing.abort();
  }

  async #fetch(onRetry: GetTokenOptions['onRetry']): Promise<CachedToken> {
    const { clock } = this.#options;
    const token = await runWithRetry(() => this.#request(), {
      what: 'obtain an access token',
      policy: this.#options.retry,
      idempotency: 'idempotent', // a second token request creates nothing the first did not
      clock,
      random: this.#options.random,
      signal: this.#closing.signal,
      onRetry,
    });
    this.#cached = token;
    return token;
  }

  async #request(): Promise<CachedToken> {
    const { clock, clientId, clientSecret } = this.#options;
    const requestedAt = clock.now();
    this.fetches++;
    const response = await sendRequest({
      dispatcher: this.#options.dispatcher,
      url: `${this.#options.loginUrl}/oauth/token`,
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
      signal: this.#closing.signal,
    });
    const { text } = await readBodyText(response.body, 64 * 1024);
    if (response.status !== 200) {
      const remote = parseGenesysError(text, headerValue(response.headers, 'inin-correlation-id'));
      throw new AttemptFailure(
        { kind: 'status', status: response.status, retryAfterMs: parseRetryAfter(response.headers['retry-after'], clock.now()) },
        tokenError(response.status, remote, clientId),
      );
    }
    const { value, lifetimeMs } = parseTokenResponse(text);
    const margin = Math.min(this.#marginMs, lifetimeMs / 2);
    return { value, refreshAt: requestedAt + lifetimeMs - margin };
  }
}

function parseTokenResponse(text: string): { value: string; lifetimeMs: number } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const record = (body ?? {}) as { access_token?: unknown; expires_in?: unknown };
  const value = record.access_token;
  const expiresIn = record.expires_in;
  if (typeof value !== 'string' || value === '' || value.length > 16_384 || /\s/.test(value)) {
    throw new InternalError('auth.bad_response', 'The login service answered 200 without a usable access_token.');
  }
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0 || expiresIn > 10 * 365 * 86_400) {
    throw new InternalError('auth.bad_response', 'The login service answered 200 without a usable expires_in.');
  }
  return { value, lifetimeMs: expiresIn * 1000 };
}

function tokenError(status: number, remote: RemoteError, clientId: string): UploadError {
  const options = {
    status,
    ...(remote.code !== undefined && { remoteCode: remote.code }),
    ...(remote.contextId !== undefined && { contextId: remote.contextId }),
  };
  if (remote.code === 'invalid_client' || status === 401) {
    return new AuthError(
      'auth.invalid_client',
      `The login service rejected the OAuth client ${JSON.stringify(clientId)} (${remote.code ?? `HTTP ${status}`}). ` +
        'Check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET, and that the client exists in this org and region.',
      options,
    );
  }
  if (status === 429 || status >= 500) {
    return new TransientError('auth.unavailable', `The login service failed to issue a token (HTTP ${status}).`, options);
  }
  return new AuthError(
    'auth.token_rejected',
    `The login service refused the token request (HTTP ${status}${remote.code === undefined ? '' : ` ${remote.code}`}). ` +
      'Check that the OAuth client uses the Client Credentials grant.' +
      (remote.message === undefined ? '' : ` The service said: ${remote.message}`),
    options,
  );
}
