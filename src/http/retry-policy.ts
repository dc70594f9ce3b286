/**
 * The retry policy as data, and its decisions as pure functions (no I/O, no clock, no globals:
 * time and randomness come in as arguments), so that every rule is testable from a table.
 *
 * Rules (PROTOCOL.md §8 and the issue):
 * - A status in `statusCodes` or a network error code in `errorCodes` is retryable; anything else
 *   (unknown errors included) is not.
 * - A request that is not idempotent (initiate, guest, message) is retried only when the server
 *   said it did not process it (429, 503) or the request provably never left (connection refused).
 * - A `Retry-After` from the server is obeyed exactly (no jitter); a 429 without one waits 3 s,
 *   except a storage SlowDown, which backs off exponentially. A Retry-After above
 *   `maxRetryAfterMs` means give up.
 * - Otherwise exponential backoff `min(maxDelayMs, baseDelayMs * factor^n)` with full jitter.
 * - At most `limit` retries and no retry that would end after `budgetMs` since the first attempt
 *   (callers reset both when the upload makes progress).
 */
import { ConfigError } from '../errors/index.js';
import type { Random } from './clock.js';
import { NOT_SENT_ERROR_CODES } from './network-errors.js';
import { DEFAULT_429_WAIT_MS } from './retry-after.js';

export interface RetryPolicy {
  /** Retries after the first attempt (so at most limit + 1 attempts). */
  limit: number;
  statusCodes: readonly number[];
  errorCodes: readonly string[];
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  jitter: 'full' | 'none';
  /** A server asking to wait longer than this is not waited for (Genesys: 180 s). */
  maxRetryAfterMs: number;
  /** No retry starts if, after its delay, more than this has passed since the first attempt. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  limit: 8,
  statusCodes: Object.freeze([408, 429, 500, 502, 503, 504]),
  errorCodes: Object.freeze([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENETUNREACH',
    'EHOSTUNREACH',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    // S3's answer when fewer body bytes arrived than announced: a transport failure, not a refusal.
    'IncompleteBody',
  ]),
  baseDelayMs: 500,
  factor: 2,
  maxDelayMs: 30_000,
  jitter: 'full',
  maxRetryAfterMs: 180_000,
  budgetMs: 15 * 60_000,
});

/** Statuses with which a server says it did not process the request (safe even for a POST). */
export const NOT_PROCESSED_STATUSES: readonly number[] = Object.freeze([429, 503]);

export type Idempotency = 'idempotent' | 'unsafe';

export type Failure =
  | { kind: 'status'; status: number; retryAfterMs?: number | undefined; slowDown?: boolean }
  | { kind: 'network'; code: string | undefined };

export interface RetryState {
  /** Retries already made for this operation (since the last progress). */
  retries: number;
  /** Milliseconds since the first attempt (or the last progress). */
  elapsedMs: number;
}

export type GiveUpReason =
  | 'not-retryable'
  | 'not-idempotent'
  | 'attempts-exhausted'
  | 'budget-exhausted'
  | 'retry-after-too-long';

export type RetryDecision =
  | { retry: true; delayMs: number; serverDirected: boolean }
  | { retry: false; reason: GiveUpReason };

/** Merges overrides into the defaults (never mutating either) and validates the result. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = {
    limit: overrides.limit ?? DEFAULT_RETRY_POLICY.limit,
    statusCodes: overrides.statusCodes ?? DEFAULT_RETRY_POLICY.statusCodes,
    errorCodes: overrides.errorCodes ?? DEFAULT_RETRY_POLICY.errorCodes,
    baseDelayMs: overrides.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    factor: overrides.factor ?? DEFAULT_RETRY_POLICY.factor,
    maxDelayMs: overrides.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    jitter: overrides.jitter ?? DEFAULT_RETRY_POLICY.jitter,
    maxRetryAfterMs: overrides.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    budgetMs: overrides.budgetMs ?? DEFAULT_RETRY_POLICY.budgetMs,
  };
  const check = (ok: boolean, name: keyof RetryPolicy, allowed: string): void => {
    if (!ok) throw new ConfigError('config.retry', `retry.${name} must be ${allowed}; got ${String(policy[name])}.`);
  };
  check(Number.isInteger(policy.limit) && policy.limit >= 0 && policy.limit <= 1000, 'limit', 'an integer from 0 to 1000');
  check(policy.baseDelayMs >= 0 && Number.isFinite(policy.baseDelayMs), 'baseDelayMs', 'a finite number >= 0');
  check(policy.factor >= 1 && Number.isFinite(policy.factor), 'factor', 'a finite number >= 1');
  check(policy.maxDelayMs >= policy.baseDelayMs && Number.isFinite(policy.maxDelayMs), 'maxDelayMs', 'a finite number >= baseDelayMs');
  check(policy.jitter === 'full' || policy.jitter === 'none', 'jitter', "'full' or 'none'");
  check(policy.maxRetryAfterMs >= 0, 'maxRetryAfterMs', 'a number >= 0');
  check(policy.budgetMs > 0, 'budgetMs', 'a number > 0');
  check(policy.statusCodes.every((s) => Number.isInteger(s) && s >= 400 && s <= 599), 'statusCodes', 'HTTP error statuses (400-599)');
  return policy;
}

/** Whether the failure may be retried at all, before counting attempts or time. */
export function retryability(policy: RetryPolicy, failure: Failure, idempotency: Idempotency): true | 'not-retryable' | 'not-idempotent' {
  if (failure.kind === 'status') {
    if (!policy.statusCodes.includes(failure.status)) return 'not-retryable';
    if (idempotency === 'unsafe' && !NOT_PROCESSED_STATUSES.includes(failure.status)) return 'not-idempotent';
    return true;
  }
  if (failure.code === undefined || !policy.errorCodes.includes(failure.code)) return 'not-retryable';
  if (idempotency === 'unsafe' && !NOT_SENT_ERROR_CODES.includes(failure.code)) return 'not-idempotent';
  return true;
}

/** Exponential backoff for the retry numbered `retryIndex` (0 for the first retry). */
export function backoffDelay(policy: RetryPolicy, retryIndex: number, random: Random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** retryIndex);
  return policy.jitter === 'full' ? Math.floor(random() * ceiling) : ceiling;
}

/** How long to wait before the retry numbered `retryIndex`, and whether the server chose it. */
export function retryDelay(
  policy: RetryPolicy,
  failure: Failure,
  retryIndex: number,
  random: Random,
): { delayMs: number; serverDirected: boolean } {
  if (failure.kind === 'status') {
    if (failure.retryAfterMs !== undefined) return { delayMs: failure.retryAfterMs, serverDirected: true };
    if (failure.status === 429 && failure.slowDown !== true) return { delayMs: DEFAULT_429_WAIT_MS, serverDirected: true };
  }
  return { delayMs: backoffDelay(policy, retryIndex, random), serverDirected: false };
}

export function decideRetry(
  policy: RetryPolicy,
  failure: Failure,
  state: RetryState,
  idempotency: Idempotency,
  random: Random,
): RetryDecision {
  const allowed = retryability(policy, failure, idempotency);
  if (allowed !== true) return { retry: false, reason: allowed };
  if (state.retries >= policy.limit) return { retry: false, reason: 'attempts-exhausted' };
  const { delayMs, serverDirected } = retryDelay(policy, failure, state.retries, random);
  if (serverDirected && delayMs > policy.maxRetryAfterMs) return { retry: false, reason: 'retry-after-too-long' };
  if (state.elapsedMs + delayMs > policy.budgetMs) return { retry: false, reason: 'budget-exhausted' };
  return { retry: true, delayMs, serverDirected };
}
