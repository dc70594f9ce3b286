/**
 * PROTOCOL.md section 3, the transient rows of the error table: 429 SlowDown (the per-upload
 * storage rate, section 8) and 500 InternalError / 503 ServiceUnavailable (injected by fault rules).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  getToken,
  initiateOrThrow,
  putSegment,
  uploadStatusOrThrow,
  type InitiateResponse,
  type SegmentResult,
} from '../../helpers/emulator-client.js';
import type { EmulatorHandle } from '../../../src/emulator/types.js';
import { assertS3Error, emulatorFor, patternBytes } from './fixtures.js';

const TYPE = 'application/pdf';
const TOTAL = 20; // chunkSize 7 → segments [0-6] [7-13] [14-19]

interface Open {
  emu: EmulatorHandle;
  token: string;
  init: InitiateResponse;
  data: Buffer;
}

async function openUpload(t: TestContext, options: { storageRateLimitPerSecond?: number } = {}): Promise<Open> {
  const emu = await emulatorFor(t, { chunkSize: 7, singleChunkMaxSize: 0, allowedContentTypes: [TYPE], ...options });
  const token = await getToken(emu.url);
  const init = await initiateOrThrow(emu.url, token, { fileName: 'a.pdf', contentType: TYPE, totalSize: TOTAL });
  return { emu, token, init, data: patternBytes(TOTAL) };
}

function put(u: Open, start: number, data: Buffer) {
  return putSegment(u.init.presignedUrl, { data, start, totalSize: TOTAL, contentType: TYPE });
}

async function assertNothingStored(u: Open): Promise<void> {
  const status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
  assert.deepEqual(status.segments, [], 'a refused segment is not stored');
}

describe('section 3: 429, 500, 503', () => {
  test('429 SlowDown with Retry-After past the per-upload storage rate; other uploads unaffected', async (t) => {
    const u = await openUpload(t, { storageRateLimitPerSecond: 2 });
    const results: SegmentResult[] = [];
    for (let i = 0; i < 8; i += 1) results.push(await put(u, 0, u.data.subarray(0, 7)));
    const slow = results.filter((r) => r.status === 429);
    // However the burst falls across one-second windows, 8 PUTs at 2/s cannot all pass.
    assert.ok(slow.length >= 1, `a burst of 8 PUTs at 2/s is refused in part (${results.map((r) => r.status).join(',')})`);
    assert.ok(results.slice(0, 2).every((r) => r.status === 200 || r.status === 206), 'the first two are within the limit');
    for (const res of slow) assertS3Error(res, 429, 'SlowDown');
    const other = await initiateOrThrow(u.emu.url, u.token, { fileName: 'b.pdf', contentType: TYPE, totalSize: 7 });
    const res = await putSegment(other.presignedUrl, { data: u.data.subarray(0, 7), start: 0, totalSize: 7, contentType: TYPE });
    assert.equal(res.status, 200, 'the limit is per upload');
    u.emu.advanceClock(2000);
    assert.equal((await put(u, 7, u.data.subarray(7, 14))).status, 206, 'allowed again after the window');
  });

  test('500 InternalError and 503 ServiceUnavailable (injected) are XML errors and store nothing', async (t) => {
    const u = await openUpload(t);
    u.emu.addFault({ route: 'segment', action: 'status', status: 500 });
    assertS3Error(await put(u, 0, u.data.subarray(0, 7)), 500, 'InternalError');
    u.emu.addFault({ route: 'segment', action: 'status', status: 503, retryAfter: 2 });
    const res = await put(u, 0, u.data.subarray(0, 7));
    assertS3Error(res, 503, 'ServiceUnavailable');
    assert.equal(res.headers['retry-after'], '2');
    await assertNothingStored(u);
    assert.equal((await put(u, 0, u.data.subarray(0, 7))).status, 206, 'each rule applied once');
  });

  test('an injected 429 on the storage is SlowDown with Retry-After', async (t) => {
    // Reading: a status fault on the segment route answers the section 3 row for that status.
    const u = await openUpload(t);
    u.emu.addFault({ route: 'segment', action: 'status', status: 429, retryAfter: 3 });
    const res = await put(u, 0, u.data.subarray(0, 7));
    assertS3Error(res, 429, 'SlowDown');
    assert.equal(res.headers['retry-after'], '3');
  });
});
