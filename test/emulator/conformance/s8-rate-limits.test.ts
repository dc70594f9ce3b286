/**
 * PROTOCOL.md section 8: the {api} rate limit per token (429 too.many.requests, Retry-After, the
 * message text, the inin-ratelimit-* headers), what is not limited, and the storage's SlowDown.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { api, getToken, header, initiate, initiateOrThrow, putSegment, requestToken, type HttpResult, type SegmentResult } from '../../helpers/emulator-client.js';
import { assertGenesysError, assertRetryAfter, assertS3Error, emulatorFor, patternBytes } from './fixtures.js';

const GOOD = { fileName: 'a.pdf', contentType: 'application/pdf', totalSize: 5 };

function limitHeaders(res: HttpResult): { count: number; allowed: number; reset: number } {
  return {
    count: Number(header(res.headers, 'inin-ratelimit-count')),
    allowed: Number(header(res.headers, 'inin-ratelimit-allowed')),
    reset: Number(header(res.headers, 'inin-ratelimit-reset')),
  };
}

describe('section 8: {api} rate limit', () => {
  test('the default is 300 per 60 s and the headers say so', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const res = await initiate(emu.url, token, GOOD);
    assert.equal(res.status, 201);
    const h = limitHeaders(res);
    assert.equal(h.allowed, 300);
    assert.equal(h.count, 1);
    assert.ok(h.reset >= 0 && h.reset <= 60, `reset ${h.reset}`);
  });

  test('past the limit: 429 too.many.requests with Retry-After and the documented message', async (t) => {
    const emu = await emulatorFor(t, { apiRateLimit: { requests: 3, windowSeconds: 60 } });
    const token = await getToken(emu.url);
    for (let i = 1; i <= 3; i += 1) {
      const res = await initiate(emu.url, token, GOOD);
      assert.equal(res.status, 201, `request ${i}`);
      assert.deepEqual([limitHeaders(res).count, limitHeaders(res).allowed], [i, 3]);
    }
    emu.advanceClock(20_000);
    const res = await initiate(emu.url, token, GOOD);
    const body = assertGenesysError(res, 429, 'too.many.requests');
    const retryAfter = assertRetryAfter(res);
    assert.ok(retryAfter >= 1 && retryAfter <= 40, `Retry-After ${retryAfter} is the time left in the window`);
    // Reading: as on real Genesys, the number appears in square brackets and equals Retry-After.
    assert.equal(body.message, `Rate limit exceeded the maximum. Retry the request in [${retryAfter}] seconds`);
    const reset = limitHeaders(res).reset;
    assert.ok(reset >= 1 && reset <= 40, `inin-ratelimit-reset ${reset} counts down with the clock`);
  });

  test('the limit applies to every route, and a new window opens after windowSeconds', async (t) => {
    const emu = await emulatorFor(t, { apiRateLimit: { requests: 2, windowSeconds: 10 } });
    const token = await getToken(emu.url);
    const init = await initiateOrThrow(emu.url, token, GOOD);
    assert.equal((await api(emu.url, token, 'GET', `/api/v2/files/uploads/${init.uploadId}`)).status, 200);
    assertGenesysError(await api(emu.url, token, 'GET', `/api/v2/files/uploads/${init.uploadId}`), 429, 'too.many.requests');
    assertGenesysError(await api(emu.url, token, 'POST', '/api/v2/conversations/messaging/guests', { json: { language: 'en-US' } }), 429, 'too.many.requests');
    emu.advanceClock(10_001);
    const res = await api(emu.url, token, 'GET', `/api/v2/files/uploads/${init.uploadId}`);
    assert.equal(res.status, 200, 'a new window');
    assert.equal(limitHeaders(res).count, 1);
  });

  test('the limit is per access token', async (t) => {
    const emu = await emulatorFor(t, { apiRateLimit: { requests: 1, windowSeconds: 60 } });
    const first = await getToken(emu.url);
    assert.equal((await initiate(emu.url, first, GOOD)).status, 201);
    assertGenesysError(await initiate(emu.url, first, GOOD), 429, 'too.many.requests');
    const second = await getToken(emu.url);
    assert.equal((await initiate(emu.url, second, GOOD)).status, 201, 'another token has its own window');
  });

  test('the token endpoint is not limited', async (t) => {
    const emu = await emulatorFor(t, { apiRateLimit: { requests: 2, windowSeconds: 60 } });
    for (let i = 0; i < 8; i += 1) assert.equal((await requestToken(emu.url)).status, 200, `token request ${i}`);
  });

  test('requests without a valid token are not limited and do not use up anyone’s window', async (t) => {
    const emu = await emulatorFor(t, { apiRateLimit: { requests: 2, windowSeconds: 60 } });
    for (let i = 0; i < 6; i += 1) {
      assertGenesysError(await initiate(emu.url, i % 2 === 0 ? 'bogus' : '', GOOD), 401, 'bad.credentials');
      assertGenesysError(await api(emu.url, undefined, 'POST', '/api/v2/files/uploads', { json: GOOD }), 401, 'bad.credentials');
    }
    const token = await getToken(emu.url);
    assert.equal((await initiate(emu.url, token, GOOD)).status, 201);
    assert.equal((await initiate(emu.url, token, GOOD)).status, 201);
  });

  test('a configuration change through PATCH /__emulator/config applies to the limit', async (t) => {
    const emu = await emulatorFor(t);
    const patched = await api(emu.url, undefined, 'PATCH', '/__emulator/config', { json: { apiRateLimit: { requests: 1, windowSeconds: 30 } } });
    assert.equal(patched.status, 200, patched.text);
    const token = await getToken(emu.url);
    assert.equal(limitHeaders(await initiate(emu.url, token, GOOD)).allowed, 1);
    assertGenesysError(await initiate(emu.url, token, GOOD), 429, 'too.many.requests');
  });
});

describe('section 8: storage rate limit', () => {
  test('no storage limit by default', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const data = patternBytes(5);
    const init = await initiateOrThrow(emu.url, token, GOOD);
    for (let i = 0; i < 30; i += 1) {
      const res = await putSegment(init.presignedUrl, { data, start: 0, totalSize: 5, contentType: GOOD.contentType });
      assert.equal(res.status, 200, `PUT ${i}`);
    }
  });

  test('a configured per-upload limit answers 429 SlowDown with Retry-After', async (t) => {
    const emu = await emulatorFor(t);
    emu.configure({ storageRateLimitPerSecond: 1 });
    const token = await getToken(emu.url);
    const data = patternBytes(5);
    const init = await initiateOrThrow(emu.url, token, GOOD);
    const put = () => putSegment(init.presignedUrl, { data, start: 0, totalSize: 5, contentType: GOOD.contentType });
    const statuses: number[] = [];
    let slow: SegmentResult | undefined;
    for (let i = 0; i < 6; i += 1) {
      const res = await put();
      statuses.push(res.status);
      if (res.status === 429) slow = res;
    }
    assert.equal(statuses[0], 200, 'the first PUT is within the limit');
    assert.ok(statuses.includes(429), `a burst of 6 PUTs at 1/s is refused in part: ${statuses.join(',')}`);
    assert.ok(slow !== undefined);
    assertS3Error(slow, 429, 'SlowDown');
    emu.advanceClock(5_000);
    assert.equal((await put()).status, 200);
  });
});
