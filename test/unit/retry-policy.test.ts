import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  decideRetry,
  resolveRetryPolicy,
  retryability,
  type Failure,
  type Idempotency,
  type RetryDecision,
} from '../../src/http/retry-policy.js';
import { ConfigError } from '../../src/errors/index.js';

const policy = resolveRetryPolicy({ limit: 3, baseDelayMs: 100, factor: 2, maxDelayMs: 1000, budgetMs: 10_000 });
const status = (s: number, extra: Partial<Extract<Failure, { kind: 'status' }>> = {}): Failure => ({ kind: 'status', status: s, ...extra });
const net = (code: string | undefined): Failure => ({ kind: 'network', code });

test('retryability: statuses, error codes and idempotency (table)', () => {
  const rows: Array<[Failure, Idempotency, ReturnType<typeof retryability>]> = [
    [status(429), 'idempotent', true],
    [status(500), 'idempotent', true],
    [status(502), 'idempotent', true],
    [status(503), 'idempotent', true],
    [status(504), 'idempotent', true],
    [status(400), 'idempotent', 'not-retryable'],
    [status(401), 'idempotent', 'not-retryable'],
    [status(403), 'idempotent', 'not-retryable'],
    [status(404), 'idempotent', 'not-retryable'],
    [status(413), 'idempotent', 'not-retryable'],
    [status(429), 'unsafe', true], // the server said it did not process it
    [status(503), 'unsafe', true],
    [status(500), 'unsafe', 'not-idempotent'],
    [status(502), 'unsafe', 'not-idempotent'],
    [status(504), 'unsafe', 'not-idempotent'],
    [net('ECONNRESET'), 'idempotent', true],
    [net('UND_ERR_SOCKET'), 'idempotent', true],
    [net('EPIPE'), 'idempotent', true],
    [net('UND_ERR_CLOSED'), 'idempotent', true],
    [net('UND_ERR_HEADERS_TIMEOUT'), 'idempotent', true],
    [net('UND_ERR_BODY_TIMEOUT'), 'idempotent', true],
    [net('IncompleteBody'), 'idempotent', true],
    [net('ECONNRESET'), 'unsafe', 'not-idempotent'], // initiate/guest/message: could duplicate
    [net('UND_ERR_SOCKET'), 'unsafe', 'not-idempotent'],
    [net('UND_ERR_HEADERS_TIMEOUT'), 'unsafe', 'not-idempotent'],
    [net('ECONNREFUSED'), 'unsafe', true], // never reached the server
    [net('UND_ERR_CONNECT_TIMEOUT'), 'unsafe', true],
    [net('ENOTFOUND'), 'idempotent', 'not-retryable'],
    [net('SOMETHING_ELSE'), 'idempotent', 'not-retryable'],
    [net(undefined), 'idempotent', 'not-retryable'],
  ];
  for (const [failure, idempotency, expected] of rows) {
    assert.equal(retryability(policy, failure, idempotency), expected, `${JSON.stringify(failure)} ${idempotency}`);
  }
});

test('decideRetry: delays, limits and budget (table)', () => {
  const half = () => 0.5;
  const rows: Array<[string, Failure, { retries: number; elapsedMs: number }, Idempotency, RetryDecision]> = [
    ['429 honours Retry-After without jitter', status(429, { retryAfterMs: 7000 }), { retries: 0, elapsedMs: 0 }, 'idempotent', { retry: true, delayMs: 7000, serverDirected: true }],
    ['429 without Retry-After waits 3 s', status(429), { retries: 0, elapsedMs: 0 }, 'unsafe', { retry: true, delayMs: 3000, serverDirected: true }],
    ['SlowDown without Retry-After backs off', status(429, { slowDown: true }), { retries: 2, elapsedMs: 0 }, 'idempotent', { retry: true, delayMs: 200, serverDirected: false }],
    ['SlowDown with Retry-After obeys it', status(429, { slowDown: true, retryAfterMs: 1000 }), { retries: 0, elapsedMs: 0 }, 'idempotent', { retry: true, delayMs: 1000, serverDirected: true }],
    ['a wait past the time budget gives up', status(429, { retryAfterMs: 180_000 }), { retries: 0, elapsedMs: 0 }, 'idempotent', { retry: false, reason: 'budget-exhausted' }],
    ['Retry-After above 180 s gives up', status(429, { retryAfterMs: 181_000 }), { retries: 0, elapsedMs: 0 }, 'idempotent', { retry: false, reason: 'retry-after-too-long' }],
    ['503 exponential, first retry', status(503), { retries: 0, elapsedMs: 0 }, 'idempotent', { retry: true, delayMs: 50, serverDirected: false }],
    ['503 exponential, third retry', status(503), { retries: 2, elapsedMs: 0 }, 'idempotent', { retry: true, delayMs: 200, serverDirected: false }],
    ['reset backs off', net('ECONNRESET'), { retries: 1, elapsedMs: 0 }, 'idempotent', { retry: true, delayMs: 100, serverDirected: false }],
    ['attempt limit', status(503), { retries: 3, elapsedMs: 0 }, 'idempotent', { retry: false, reason: 'attempts-exhausted' }],
    ['time budget', status(503), { retries: 0, elapsedMs: 9_990 }, 'idempotent', { retry: false, reason: 'budget-exhausted' }],
    ['400 is not retried', status(400), { retries: 0, elapsedMs: 0 }, 'idempotent', { retry: false, reason: 'not-retryable' }],
    ['reset on a POST is not retried', net('ECONNRESET'), { retries: 0, elapsedMs: 0 }, 'unsafe', { retry: false, reason: 'not-idempotent' }],
    ['unknown error is not retried', net('EWHATEVER'), { retries: 0, elapsedMs: 0 }, 'idempotent', { retry: false, reason: 'not-retryable' }],
  ];
  for (const [name, failure, state, idempotency, expected] of rows) {
    assert.deepEqual(decideRetry(policy, failure, state, idempotency, half), expected, name);
  }
  // With the default 15-minute budget a 180 s Retry-After is honoured.
  assert.deepEqual(decideRetry(DEFAULT_RETRY_POLICY, status(429, { retryAfterMs: 180_000 }), { retries: 0, elapsedMs: 0 }, 'idempotent', half), {
    retry: true,
    delayMs: 180_000,
    serverDirected: true,
  });
});

test('backoff: full jitter stays within [0, min(max, base*factor^n)) and is exponential', () => {
  for (let n = 0; n < 12; n++) {
    const ceiling = Math.min(1000, 100 * 2 ** n);
    assert.equal(backoffDelay(policy, n, () => 0), 0);
    assert.ok(backoffDelay(policy, n, () => 0.999999) < ceiling);
    assert.ok(backoffDelay(policy, n, () => 0.999999) >= ceiling - 1);
  }
  const noJitter = resolveRetryPolicy({ ...policy, jitter: 'none' });
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(noJitter, n, () => 0.3)), [100, 200, 400, 800, 1000, 1000]);
});

test('resolveRetryPolicy: merges without mutating and names the bad option', () => {
  const merged = resolveRetryPolicy({ limit: 1 });
  assert.equal(merged.limit, 1);
  assert.equal(merged.maxRetryAfterMs, 180_000);
  assert.equal(DEFAULT_RETRY_POLICY.limit, 8);
  assert.equal(resolveRetryPolicy({ limit: 0 }).limit, 0); // 0 is a value, not "unset"
  for (const [bad, name] of [
    [{ limit: -1 }, 'limit'],
    [{ limit: 1.5 }, 'limit'],
    [{ factor: 0.5 }, 'factor'],
    [{ baseDelayMs: 10, maxDelayMs: 5 }, 'maxDelayMs'],
    [{ budgetMs: 0 }, 'budgetMs'],
    [{ statusCodes: [200] }, 'statusCodes'],
  ] as const) {
    assert.throws(() => resolveRetryPolicy(bad), (error: unknown) => error instanceof ConfigError && error.message.includes(`retry.${name}`));
  }
});
