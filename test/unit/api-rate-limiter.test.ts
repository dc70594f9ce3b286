import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiRateLimiter } from '../../src/http/api-rate-limiter.js';
import { VirtualClock } from './virtual-clock.js';

test('API limiter: at most `limit` starts per sliding window per token', async () => {
  const clock = new VirtualClock();
  const limiter = new ApiRateLimiter({ limit: 3, windowMs: 60_000, clock });
  const t0 = clock.now();
  const starts: number[] = [];
  for (let i = 0; i < 7; i++) {
    await limiter.acquire('token-a');
    starts.push(clock.now() - t0);
    clock.advance(1000);
  }
  assert.deepEqual(starts, [0, 1000, 2000, 60_000, 61_000, 62_000, 120_000]);
  // A new token has a fresh window.
  const before = clock.now();
  await limiter.acquire('token-b');
  assert.equal(clock.now(), before);
});

test('API limiter: inin-ratelimit headers saying the window is used up make calls wait for the reset', async () => {
  const clock = new VirtualClock();
  const limiter = new ApiRateLimiter({ limit: 300, clock });
  await limiter.acquire('t');
  limiter.observe('t', { 'inin-ratelimit-count': '300', 'inin-ratelimit-allowed': '300', 'inin-ratelimit-reset': '12' });
  const before = clock.now();
  await limiter.acquire('t');
  assert.equal(clock.now() - before, 12_000);
  limiter.observe('t', { 'inin-ratelimit-count': '5', 'inin-ratelimit-allowed': '300', 'inin-ratelimit-reset': '40' });
  const again = clock.now();
  await limiter.acquire('t');
  assert.equal(clock.now(), again);
});
