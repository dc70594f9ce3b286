/**
 * The conversation destination's connection to one org: a connection pool, a token source (client
 * credentials or a supplied user token), the per-token API rate limiter, the retry policy, and the
 * typed Platform API calls. `conversationClientFromSettings` builds it from the same environment
 * and flags as the rest of the CLI, plus the conversation options (which token to use).
 */
import type { Dispatcher } from 'undici';
import { TokenProvider } from '../../auth/token-provider.js';
import { resolveConfig, resolveOrigins, type ConfigFlags } from '../../config/resolve-config.js';
import { ApiRateLimiter } from '../../http/api-rate-limiter.js';
import { systemClock, systemRandom, type Clock, type Random } from '../../http/clock.js';
import { createDispatcher } from '../../http/dispatcher.js';
import { resolveRetryPolicy, type RetryPolicy } from '../../http/retry-policy.js';
import { ApiTransport } from '../../genesys/api-transport.js';
import { ConversationApi } from './api.js';
import type { ConversationAuth } from './options.js';
import { clientCredentialsSource, FixedTokenProvider, type AccessTokenSource, type TokenKind } from './tokens.js';

export type ClientAuth =
  | { kind: 'client-credentials'; loginUrl: string; clientId: string; readonly clientSecret: string }
  | { kind: 'user'; readonly token: string };

export interface ConversationClientOptions {
  apiUrl: string;
  auth: ClientAuth;
  /** Described for people (no secret). */
  target?: string;
  dispatcher?: Dispatcher;
  clock?: Clock;
  random?: Random;
  retry?: Partial<RetryPolicy>;
  /** API requests per minute per token; default 300. */
  apiRatePerMinute?: number;
}

export interface ConversationClient {
  readonly api: ConversationApi;
  readonly apiUrl: string;
  readonly target: string;
  readonly tokenKind: TokenKind;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly random: Random;
  readonly retryPolicy: RetryPolicy;
  close(): Promise<void>;
}

export function createConversationClient(options: ConversationClientOptions): ConversationClient {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const retryPolicy = resolveRetryPolicy(options.retry);
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? createDispatcher();
  const auth = options.auth;
  const tokens: AccessTokenSource =
    auth.kind === 'user'
      ? new FixedTokenProvider(auth.token)
      : clientCredentialsSource(
          new TokenProvider({ loginUrl: auth.loginUrl, clientId: auth.clientId, clientSecret: auth.clientSecret, dispatcher, clock, random, retry: retryPolicy }),
        );
  const limiter = new ApiRateLimiter({ limit: options.apiRatePerMinute ?? 300, windowMs: 60_000, clock });
  const transport = new ApiTransport({ apiUrl: options.apiUrl, dispatcher, tokens, limiter, clock, random, retry: retryPolicy });
  let closed = false;
  return {
    api: new ConversationApi(transport, tokens.kind),
    apiUrl: options.apiUrl,
    target: options.target ?? `${options.apiUrl}, ${auth.kind === 'user' ? 'a supplied user token' : `OAuth client ${auth.clientId}`}`,
    tokenKind: tokens.kind,
    dispatcher,
    clock,
    random,
    retryPolicy,
    async close() {
      if (closed) return;
      closed = true;
      tokens.close();
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

/**
 * The client for the CLI's settings: a supplied user token needs only the target (region, base URL
 * or login+API URLs); otherwise the OAuth client credentials are required as for every command.
 */
export function conversationClientFromSettings(
  input: { env: NodeJS.ProcessEnv; flags: ConfigFlags; auth: ConversationAuth },
  options: Omit<ConversationClientOptions, 'apiUrl' | 'auth' | 'target'> = {},
): ConversationClient {
  if (input.auth.kind === 'user') {
    const origins = resolveOrigins({ env: input.env, flags: input.flags });
    const auth = { kind: 'user' } as { kind: 'user'; token: string };
    Object.defineProperty(auth, 'token', { value: input.auth.token, enumerable: false });
    return createConversationClient({ ...options, apiUrl: origins.apiUrl, auth, target: `${origins.described}, user access token from ${input.auth.source}` });
  }
  const config = resolveConfig({ env: input.env, flags: input.flags });
  const auth = { kind: 'client-credentials', loginUrl: config.loginUrl, clientId: config.clientId } as {
    kind: 'client-credentials';
    loginUrl: string;
    clientId: string;
    clientSecret: string;
  };
  Object.defineProperty(auth, 'clientSecret', { value: config.clientSecret, enumerable: false });
  return createConversationClient({ ...options, apiUrl: config.apiUrl, auth, target: config.target });
}
