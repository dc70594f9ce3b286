/** The fault flows a client's retry and repair logic relies on, end to end. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { call, checksums, complete, emulator, initiate, putSegment, segmentCount, sha256, token } from './helpers.js';

describe('fault flows', () => {
  test('corrupt: complete reports the segment, re-sending it repairs the upload', async (t) => {
    const emu = await emulator(t, { chunkSize: 16, singleChunkMaxSize: 0 });
    const tok = await token(emu.url);
    const u = await initiate(emu.url, tok, randomBytes(60));
    emu.addFault({ route: 'segment', action: 'corrupt', segmentIndex: 1 });
    for (let i = 0; i < segmentCount(u); i++) {
      const res = await putSegment(u, i);
      assert.ok(res.status === 200 || res.status === 206);
      assert.equal(res.headers.etag, `"${sha256(u.data.subarray(i * 16, i * 16 + 16))}"`, 'ETag: the bytes received');
    }
    const mismatch = await complete(emu.url, tok, u);
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.json.code, 'checksum.mismatch');
    assert.deepEqual(mismatch.json.details.map((d: { index: number }) => d.index), [1]);
    assert.equal(mismatch.json.details[0].expected, checksums(u)[1]);
    assert.equal((await putSegment(u, 1)).status, 200);
    const done = await complete(emu.url, tok, u);
    assert.equal(done.status, 200);
    assert.equal(done.json.sha256, sha256(u.data));
    assert.equal(emu.state().requestLog.filter((e) => e.fault === 'corrupt').length, 1);
  });

  test('lose-response on complete: the file exists, and completing again answers the same 200', async (t) => {
    const emu = await emulator(t);
    const tok = await token(emu.url);
    const u = await initiate(emu.url, tok, randomBytes(33));
    assert.equal((await putSegment(u, 0)).status, 200);
    emu.addFault({ route: 'complete', action: 'lose-response' });
    await assert.rejects(complete(emu.url, tok, u));
    assert.equal(emu.state().files.length, 1);
    const again = await complete(emu.url, tok, u);
    assert.equal(again.status, 200);
    assert.equal(again.json.fileId, emu.state().files[0]?.id);
    const other = await complete(emu.url, tok, u, [`sha256:${'0'.repeat(64)}`]);
    assert.equal(other.json.code, 'checksum.mismatch', 'different checksums on a completed upload');
  });

  test('storage rate limit per upload: 429 SlowDown with Retry-After; a new second lets it through', async (t) => {
    const emu = await emulator(t, { storageRateLimitPerSecond: 2, chunkSize: 4, singleChunkMaxSize: 0 });
    const tok = await token(emu.url);
    const u = await initiate(emu.url, tok, randomBytes(16));
    const other = await initiate(emu.url, tok, randomBytes(16));
    assert.equal((await putSegment(u, 0)).status, 206);
    assert.equal((await putSegment(u, 1)).status, 206);
    const limited = await putSegment(u, 2);
    assert.equal(limited.status, 429);
    assert.match(limited.text, /<Code>SlowDown<\/Code>/);
    assert.match(String(limited.headers['retry-after']), /^\d+$/);
    assert.equal((await putSegment(other, 0)).status, 206, 'the limit is per upload');
    emu.advanceClock(1000);
    assert.equal((await putSegment(u, 2)).status, 206);
  });

  test('API rate limit: window headers count down, 429 names the wait, the clock resets it', async (t) => {
    const emu = await emulator(t, { apiRateLimit: { requests: 2, windowSeconds: 30 } });
    const tok = await token(emu.url);
    const status = () => call(emu.url, 'GET', '/api/v2/files/uploads/00000000-0000-4000-8000-000000000000', { token: tok });
    assert.equal((await status()).headers['inin-ratelimit-count'], '1');
    await status();
    const limited = await status();
    assert.equal(limited.status, 429);
    assert.equal(limited.json.message, `Rate limit exceeded the maximum. Retry the request in [${limited.headers['retry-after']}] seconds`);
    emu.advanceClock(30_000);
    assert.equal((await status()).status, 404);
    const other = await token(emu.url);
    assert.equal((await call(emu.url, 'GET', '/api/v2/files/x', { token: other })).status, 404, 'per token');
  });
});
