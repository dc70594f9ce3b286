/**
 * PROTOCOL.md section 3, the successful PUTs: 206 until every segment is present, then 200; the
 * ETag; any order; parallel; re-sending replaces; the optional checksum; no bearer token.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  getToken,
  initiateOrThrow,
  putSegment,
  segmentChecksum,
  segmentRange,
  sha256Hex,
  uploadStatusOrThrow,
  type InitiateResponse,
  type SegmentResult,
} from '../../helpers/emulator-client.js';
import type { EmulatorHandle } from '../../../src/emulator/types.js';
import { assertStored, emulatorFor, patternBytes } from './fixtures.js';

const TYPE = 'application/octet-stream';
const TOTAL = 20; // chunkSize 7 → segments of 7, 7 and 6 bytes

interface Open {
  emu: EmulatorHandle;
  token: string;
  init: InitiateResponse;
  data: Buffer;
  segment(i: number, data?: Buffer): Promise<SegmentResult>;
}

async function openUpload(t: TestContext, total = TOTAL, chunkSize = 7): Promise<Open> {
  const emu = await emulatorFor(t, { chunkSize, singleChunkMaxSize: 0, allowedContentTypes: [TYPE, 'application/pdf'] });
  const token = await getToken(emu.url);
  const init = await initiateOrThrow(emu.url, token, { fileName: 'data.bin', contentType: TYPE, totalSize: total });
  assert.equal(init.chunkSize, chunkSize);
  const data = patternBytes(total);
  const segment = (i: number, bytes?: Buffer) => {
    const { start, end } = segmentRange(i, init.chunkSize, total);
    return putSegment(init.presignedUrl, { data: bytes ?? data.subarray(start, end + 1), start, totalSize: total, contentType: TYPE });
  };
  return { emu, token, init, data, segment };
}

function part(data: Buffer, i: number, chunkSize = 7): Buffer {
  const { start, end } = segmentRange(i, chunkSize, data.length);
  return data.subarray(start, end + 1);
}

describe('section 3: storing segments', () => {
  test('206 while segments are missing, 200 once all are present; ETag is the quoted hex sha256', async (t) => {
    const u = await openUpload(t);
    assertStored(await u.segment(2), 206, sha256Hex(part(u.data, 2)));
    assertStored(await u.segment(0), 206, sha256Hex(part(u.data, 0)));
    assertStored(await u.segment(1), 200, sha256Hex(part(u.data, 1)));
  });

  test('a single-segment file answers 200 at once', async (t) => {
    const u = await openUpload(t, 5, 7);
    assertStored(await u.segment(0), 200, sha256Hex(u.data));
  });

  test('the status lists stored segments in index order with size and sha256 checksum', async (t) => {
    const u = await openUpload(t);
    await u.segment(2);
    await u.segment(0);
    const status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.deepEqual(status.segments, [
      { index: 0, size: 7, checksum: segmentChecksum(part(u.data, 0)) },
      { index: 2, size: 6, checksum: segmentChecksum(part(u.data, 2)) },
    ]);
  });

  test('sending a segment again replaces it and still answers by completeness', async (t) => {
    const u = await openUpload(t);
    await u.segment(0);
    const other = patternBytes(7, 99);
    assertStored(await u.segment(0, other), 206, sha256Hex(other));
    let status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.deepEqual(status.segments, [{ index: 0, size: 7, checksum: segmentChecksum(other) }]);
    await u.segment(1);
    assertStored(await u.segment(2), 200, sha256Hex(part(u.data, 2)));
    assertStored(await u.segment(0), 200, sha256Hex(part(u.data, 0)));
    status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.deepEqual(
      status.segments.map((s) => s.checksum),
      [0, 1, 2].map((i) => segmentChecksum(part(u.data, i))),
    );
  });

  test('segments sent in parallel are all stored and the last one to land answers 200', async (t) => {
    const u = await openUpload(t, 70, 7);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => u.segment(9 - i)));
    for (const res of results) assert.ok(res.status === 200 || res.status === 206, `${res.status}: ${res.text}`);
    assert.ok(results.some((r) => r.status === 200), 'at least one PUT saw every segment present');
    const status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.deepEqual(
      status.segments.map((s) => s.index),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });

  test('a correct x-amz-checksum-sha256 is accepted', async (t) => {
    const u = await openUpload(t);
    const res = await putSegment(u.init.presignedUrl, {
      data: part(u.data, 1),
      start: 7,
      totalSize: TOTAL,
      contentType: TYPE,
      checksum: true,
    });
    assertStored(res, 206, sha256Hex(part(u.data, 1)));
  });

  test('odd configured chunk sizes: segment i covers [i*chunkSize, min((i+1)*chunkSize, total) - 1]', async (t) => {
    const total = 2_500_000;
    const chunk = 1_000_003;
    const u = await openUpload(t, total, chunk);
    for (const i of [2, 0, 1]) {
      const res = await u.segment(i);
      assertStored(res, i === 1 ? 200 : 206, sha256Hex(part(u.data, i, chunk)));
    }
    const status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.deepEqual(
      status.segments.map((s) => s.size),
      [1_000_003, 1_000_003, 499_994],
    );
  });

  test('a chunkSize larger than the file: the one segment is the whole file', async (t) => {
    const u = await openUpload(t, 3, 1000);
    assertStored(await u.segment(0), 200, sha256Hex(u.data));
  });

  test('no bearer token is needed, and none is seen, when clients do not send one', async (t) => {
    const u = await openUpload(t);
    for (const i of [0, 1, 2]) await u.segment(i);
    assert.equal(u.emu.state().storageAuthorizationSeen, false);
  });

  test('the stored bytes are exactly the bytes sent (binary safe)', async (t) => {
    const u = await openUpload(t, 256, 256);
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assertStored(await u.segment(0, every), 200, sha256Hex(every));
    const status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.equal(status.segments[0]?.checksum, segmentChecksum(every));
  });
});
