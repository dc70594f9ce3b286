import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AimdController, type AimdState } from '../../src/http/aimd-controller.js';
import { VirtualClock } from './virtual-clock.js';

test('AIMD: a SlowDown halves in-flight and rate for everyone; successes restore them gradually', async () => {
  const clock = new VirtualClock();
  const adjustments: AimdState[] = [];
  const aimd = new AimdController({ maxInFlight: 8, clock, onAdjust: (s) => adjustments.push(s) });
  assert.deepEqual(aimd.state, { inFlightLimit: 8, requestsPerSecond: null });

  // 20 request starts within one second, then a SlowDown.
  const tickets = [];
  for (let i = 0; i < 20; i++) {
    const ticket = await aimd.acquire();
    aimd.release();
    tickets.push(ticket);
    clock.advance(40);
  }
  aimd.onSlowDown(tickets[19]!);
  assert.equal(aimd.state.inFlightLimit, 4);
  const rate = aimd.state.requestsPerSecond;
  assert.ok(rate !== null && rate > 5 && rate <= 13, `rate ${rate}`);
  assert.equal(adjustments.length, 1);

  // Replies to requests that started before the decrease do not decrease again.
  aimd.onSlowDown(tickets[10]!);
  assert.equal(aimd.state.inFlightLimit, 4);

  // A request started after the decrease may.
  const later = await aimd.acquire();
  aimd.release();
  aimd.onSlowDown(later);
  assert.equal(aimd.state.inFlightLimit, 2);
  assert.ok((aimd.state.requestsPerSecond ?? 0) < (rate ?? 0));

  // Additive increase: about +1 in flight per window of successes, never above the maximum.
  let successes = 0;
  while (aimd.state.inFlightLimit < 8 && successes < 1000) {
    aimd.onSuccess();
    successes++;
  }
  assert.equal(aimd.state.inFlightLimit, 8);
  // 2 + 3 + 4 + 5 + 6 + 7 successes from 2 to 8 (one each per unit of the current limit).
  assert.ok(successes >= 25 && successes <= 29, `successes ${successes}`);
  for (let i = 0; i < 1000; i++) aimd.onSuccess();
  assert.deepEqual(aimd.state, { inFlightLimit: 8, requestsPerSecond: null }, 'back to unlimited after recovering');
});

test('AIMD: pacing spaces request starts by 1/rate and maxRps is a hard cap', async () => {
  const clock = new VirtualClock();
  const aimd = new AimdController({ maxInFlight: 4, maxRps: 10, clock });
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    starts.push((await aimd.acquire()).startedAt);
    aimd.release();
  }
  const gaps = starts.slice(1).map((t, i) => t - (starts[i] ?? 0));
  assert.deepEqual(gaps, [100, 100, 100, 100]);
  for (let i = 0; i < 500; i++) aimd.onSuccess();
  assert.equal(aimd.state.requestsPerSecond, 10, 'never above maxRps');
  aimd.onSlowDown(await aimd.acquire());
  aimd.release();
  assert.equal(aimd.state.requestsPerSecond, 5);
});

test('AIMD: the in-flight limit blocks acquire until a release, and an abort leaves the queue', async () => {
  const clock = new VirtualClock();
  const aimd = new AimdController({ maxInFlight: 1, clock });
  await aimd.acquire();
  let second = false;
  const waiting = aimd.acquire().then(() => {
    second = true;
  });
  const controller = new AbortController();
  const aborted = aimd.acquire(controller.signal);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(second, false);
  controller.abort(new Error('stop'));
  await assert.rejects(aborted, /stop/);
  aimd.release();
  await waiting;
  assert.equal(second, true);
  assert.equal(aimd.inFlight, 1);
});

test("AIMD: a SlowDown's Retry-After pauses every new request start, once per congestion event", async () => {
  const clock = new VirtualClock();
  const aimd = new AimdController({ maxInFlight: 4, clock });
  const first = await aimd.acquire();
  aimd.release();
  const t = clock.now();
  aimd.onSlowDown(first, 2000);
  const next = await aimd.acquire();
  aimd.release();
  assert.ok(next.startedAt - t >= 2000, `started ${next.startedAt - t} ms after the SlowDown`);
  const limit = aimd.state.inFlightLimit;
  aimd.onSlowDown(first, 500); // a late reply from before the decrease: pauses, does not decrease again
  assert.equal(aimd.state.inFlightLimit, limit);
});
