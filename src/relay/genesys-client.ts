/**
 * A Genesys Cloud client: one connection pool, one token provider, one API rate limiter, the typed
 * API calls of PROTOCOL.md and the storage PUT. Shared by every upload that runs through it (the
 * CLI runs one; the proxy service many). close() ends the pool it created.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ResolvedConfig } from '../config/index.js';
import { TokenProvider } from '../auth/token-provider.js';
import { ApiRateLimiter } from '../http/api-rate-limiter.js';
import { systemClock, systemRandom, type Clock, type Random } from '../http/clock.js';
import { createDispatcher, type DispatcherOptions } from '../http/dispatcher.js';
import { resolveRetryPolicy, type RetryPolicy } from '../http/retry-policy.js';
import { ApiTransport, type CallOptions } from '../genesys/api-transport.js';
import { GenesysApi, type CompleteRequest, type ContentOptions, type GuestRequest, type InitiateRequest, type MessageRequest } from '../genesys/api.js';
import type { CompleteResponse, CreatedMessage, FileMetadata, Guest, InitiateResponse, Message, UploadStatus } from '../genesys/schemas.js';
import { putPart, type PartAnswer, type PartPut, type PartTransport } from '../upload/put-part.js';

export interface GenesysClientOptions {
  clock?: Clock;
  random?: Random;
  /** Use this undici dispatcher instead of creating one (then close() leaves it open). */
  dispatcher?: Dispatcher;
  /** Options of the dispatcher created when none is given. */
  connection?: DispatcherOptions;
  /** API requests per minute per token; default 300 (Genesys' client-credentials limit). */
  apiRatePerMinute?: number;
  /** Refresh the token this long before it expires (clamped to half its lifetime); default 120 s. */
  refreshMarginMs?: number;
  /** The default retry policy of API calls and uploads. */
  retry?: Partial<RetryPolicy>;
}

export interface GenesysClient extends PartTransport {
  /** Human description of the org and client (no secret). */
  readonly target: string;
  /** The API and login origins and the OAuth client id (no secret): what the resume journal records. */
  readonly apiUrl: string;
  readonly loginUrl: string;
  readonly clientId: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly retryPolicy: RetryPolicy;
  initiate(request: InitiateRequest, options?: CallOptions): Promise<InitiateResponse>;
  status(uploadId: string, options?: CallOptions): Promise<UploadStatus>;
  abort(uploadId: string, options?: CallOptions): Promise<void>;
  complete(uploadId: string, request: CompleteRequest, options?: CallOptions): Promise<CompleteResponse>;
  getFile(fileId: string, options?: CallOptions): Promise<FileMetadata>;
  /** The file's bytes; consume or destroy the stream. */
  fileContent(fileId: string, options?: ContentOptions): Promise<Readable>;
  createGuest(request: GuestRequest, options?: CallOptions): Promise<Guest>;
  sendMessage(request: MessageRequest, options?: CallOptions): Promise<CreatedMessage>;
  getMessage(messageId: string, options?: CallOptions): Promise<Message>;
  /** The guest's messages, newest first (settles a message POST whose answer was lost). */
  listGuestMessages(guestId: string, options?: CallOptions): Promise<Message[]>;
  /** One PUT of a part to a store's URL; never carries an Authorization header. No retries. */
  putPart(request: PartPut): Promise<PartAnswer>;
  /** Token requests made so far (diagnostics and tests). */
  tokenFetches(): number;
  close(): Promise<void>;
}

export function createGenesysClient(config: ResolvedConfig, options: GenesysClientOptions = {}): GenesysClient {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const retryPolicy = resolveRetryPolicy(options.retry);
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? createDispatcher(options.connection);
  const tokens = new TokenProvider({
    loginUrl: config.loginUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    dispatcher,
    clock,
    random,
    retry: retryPolicy,
    ...(options.refreshMarginMs !== undefined && { refreshMarginMs: options.refreshMarginMs }),
  });
  const limiter = new ApiRateLimiter({ limit: options.apiRatePerMinute ?? 300, windowMs: 60_000, clock });
  const api = new GenesysApi(new ApiTransport({ apiUrl: config.apiUrl, dispatcher, tokens, limiter, clock, random, retry: retryPolicy }));
  let closed = false;

  return {
    target: config.target,
    apiUrl: config.apiUrl,
    loginUrl: config.loginUrl,
    clientId: config.clientId,
    clock,
    random,
    retryPolicy,
    initiate: (request, callOptions) => api.initiate(request, callOptions),
    status: (uploadId, callOptions) => api.status(uploadId, callOptions),
    abort: (uploadId, callOptions) => api.abort(uploadId, callOptions),
    complete: (uploadId, request, callOptions) => api.complete(uploadId, request, callOptions),
    getFile: (fileId, callOptions) => api.getFile(fileId, callOptions),
    fileContent: (fileId, callOptions) => api.fileContent(fileId, callOptions),
    createGuest: (request, callOptions) => api.createGuest(request, callOptions),
    sendMessage: (request, callOptions) => api.sendMessage(request, callOptions),
    getMessage: (messageId, callOptions) => api.getMessage(messageId, callOptions),
    listGuestMessages: (guestId, callOptions) => api.listGuestMessages(guestId, callOptions),
    putPart: (request) => putPart(dispatcher, request, () => clock.now()),
    tokenFetches: () => tokens.fetches,
    async close() {
      if (closed) return;
      closed = true;
      tokens.close();
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}
