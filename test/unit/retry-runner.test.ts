import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptFailure, ProgressEpoch, runWithRetry, type RetryInfo } from '../../src/http/retry-runner.js';
import { resolveRetryPolicy } from '../../src/http/retry-policy.js';
import { InterruptedError, RejectedError, TransientError } from '../../src/errors/index.js';
import { VirtualClock } from './virtual-clock.js';

const policy = resolveRetryPolicy({ limit: 2, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 60_000 });
const fail503 = () => new AttemptFailure({ kind: 'status', status: 503 }, new TransientError('x', 'service unavailable', { status: 503 }));
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

test('runWithRetry: retries, reports each retry, then gives up with attempts and total time', async () => {
  const clock = new VirtualClock();
  const retries: RetryInfo[] = [];
  let calls = 0;
  await assert.rejects(
    runWithRetry(
      async () => {
        calls++;
        throw calls === 1 ? reset() : fail503();
      },
      { what: 'do the thing', policy, idempotency: 'idempotent', clock, random: () => 0.5, onRetry: (r) => retries.push(r) },
    ),
    (error: unknown) => {
      assert.ok(error instanceof TransientError);
      assert.equal(error.code, 'retry.exhausted');
      assert.match(error.message, /do the thing after 3 attempts over 0\.\d s/);
      return true;
    },
  );
  assert.equal(calls, 3);
  assert.deepEqual(retries.map((r) => [r.attempt, r.delayMs, r.code ?? r.status]), [[1, 50, 'ECONNRESET'], [2, 100, 503]]);
});

test('runWithRetry: progress elsewhere in the upload resets the attempt count', async () => {
  const clock = new VirtualClock();
  const progress = new ProgressEpoch();
  let calls = 0;
  const value = await runWithRetry(
    async () => {
      calls++;
      if (calls < 6) {
        progress.bump(); // another segment got stored meanwhile
        throw fail503();
      }
      return 'ok';
    },
    { what: 'store', policy, idempotency: 'idempotent', clock, random: () => 0.5, progress },
  );
  assert.equal(value, 'ok');
  assert.equal(calls, 6, 'more attempts than the limit of 2 retries, since progress kept being made');
});

test('runWithRetry: a non-retryable answer is thrown as is; an abort is an InterruptedError', async () => {
  const clock = new VirtualClock();
  const rejected = new RejectedError('r', 'no');
  await assert.rejects(
    runWithRetry(async () => {
      throw new AttemptFailure({ kind: 'status', status: 400 }, rejected);
    }, { what: 'w', policy, idempotency: 'idempotent', clock, random: () => 0 }),
    (error: unknown) => error === rejected,
  );
  const controller = new AbortController();
  await assert.rejects(
    runWithRetry(async () => {
      controller.abort();
      throw reset();
    }, { what: 'w', policy, idempotency: 'idempotent', clock, random: () => 0, signal: controller.signal }),
    InterruptedError,
  );
  await assert.rejects(
    runWithRetry(async () => {
      throw new TypeError('a bug');
    }, { what: 'w', policy, idempotency: 'idempotent', clock, random: () => 0 }),
    TypeError,
    'programming errors are not retried or disguised',
  );
});
