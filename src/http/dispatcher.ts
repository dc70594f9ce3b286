/**
 * The one connection pool of a client. Keep-alive sockets are reused across segments and API calls;
 * the per-origin connection count must exceed the upload concurrency (segments in flight plus an
 * API call and a token fetch) or requests queue behind each other.
 */
import { Agent, type Dispatcher } from 'undici';

export interface DispatcherOptions {
  /** Connections per origin; default 40 (concurrency is capped at 32, plus API and token calls). */
  connections?: number;
  /** Time to establish a connection; default 10 s. */
  connectTimeoutMs?: number;
  /** Time from dispatch to response headers (covers sending a request body); default 120 s. */
  headersTimeoutMs?: number;
  /** Longest silence while a response body arrives; default 60 s. */
  bodyTimeoutMs?: number;
}

export const DEFAULT_CONNECTIONS = 40;

export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  return new Agent({
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 300_000,
    headersTimeout: options.headersTimeoutMs ?? 120_000,
    bodyTimeout: options.bodyTimeoutMs ?? 60_000,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
  });
}
