/**
 * PROTOCOL.md section 3, the error table: every row, each answered as an S3-style XML error, and
 * none of them storing anything.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  abortUpload,
  completeOrThrow,
  getToken,
  initiateOrThrow,
  parseS3Error,
  putSegment,
  segmentChecksum,
  sha256Base64,
  uploadStatusOrThrow,
  type InitiateResponse,
  type SegmentResult,
} from '../../helpers/emulator-client.js';
import type { EmulatorHandle } from '../../../src/emulator/types.js';
import { assertS3Error, emulatorFor, patternBytes, waitFor } from './fixtures.js';
import { rawHttp, type RawResponse } from './raw-http.js';

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

/** PUT `data` at `start` with `headers` overriding the correct ones. */
function put(u: Open, start: number, data: Buffer, headers: Record<string, string> = {}, url = u.init.presignedUrl) {
  return putSegment(url, { data, start, totalSize: TOTAL, contentType: TYPE, headers });
}

async function assertNothingStored(u: Open): Promise<void> {
  const status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
  assert.deepEqual(status.segments, [], 'a refused segment is not stored');
}

function asSegmentResult(raw: RawResponse | undefined): SegmentResult {
  assert.ok(raw !== undefined, 'the storage answered before closing the connection');
  return {
    status: raw.status,
    headers: raw.headers,
    bytes: Buffer.from(raw.body),
    text: raw.body,
    json: undefined,
    s3Error: parseS3Error(raw.body),
  };
}

describe('section 3: 400 InvalidRange', () => {
  test('Content-Range missing or malformed', async (t) => {
    const u = await openUpload(t);
    const seg = u.data.subarray(0, 7);
    const noRange = await putSegment(u.init.presignedUrl, { data: seg, start: 0, totalSize: TOTAL, contentType: TYPE });
    assert.equal(noRange.status, 206, 'control: the well-formed PUT is stored');
    const u2 = await openUpload(t);
    const malformed = ['', 'bytes 0-6', 'bytes=0-6/20', 'bytes 0-6/*', 'bytes */20', 'items 0-6/20', 'bytes 6-0/20', 'bytes a-6/20', 'bytes 0-6/20, 7-13/20', '0-6/20'];
    for (const range of malformed) {
      assertS3Error(await put(u2, 0, seg, { 'content-range': range }), 400, 'InvalidRange');
    }
    const raw = await rawHttp({
      method: 'PUT',
      url: u2.init.presignedUrl,
      headers: [['Content-Type', TYPE], ['Content-Length', '7']],
      body: seg,
      then: 'wait',
    });
    assertS3Error(asSegmentResult(raw), 400, 'InvalidRange');
    await assertNothingStored(u2);
  });

  test('start not a multiple of chunkSize', async (t) => {
    const u = await openUpload(t);
    assertS3Error(await put(u, 1, u.data.subarray(1, 8)), 400, 'InvalidRange');
    assertS3Error(await put(u, 13, u.data.subarray(13, 20)), 400, 'InvalidRange');
    await assertNothingStored(u);
  });

  test('a length that is not the segment exact length (short middle or last segment)', async (t) => {
    const u = await openUpload(t);
    assertS3Error(await put(u, 0, u.data.subarray(0, 6)), 400, 'InvalidRange');
    assertS3Error(await put(u, 7, u.data.subarray(7, 8)), 400, 'InvalidRange');
    assertS3Error(await put(u, 14, u.data.subarray(14, 19)), 400, 'InvalidRange');
    await assertNothingStored(u);
  });

  test('Content-Length different from the range', async (t) => {
    const u = await openUpload(t);
    const raw = await rawHttp({
      method: 'PUT',
      url: u.init.presignedUrl,
      headers: [['Content-Type', TYPE], ['Content-Range', 'bytes 0-6/20'], ['Content-Length', '5']],
      body: u.data.subarray(0, 5),
      then: 'wait',
    });
    assertS3Error(asSegmentResult(raw), 400, 'InvalidRange');
    await assertNothingStored(u);
  });

  test('Content-Length missing: no body framing at all, or a chunked body', async (t) => {
    const u = await openUpload(t);
    const none = await rawHttp({
      method: 'PUT',
      url: u.init.presignedUrl,
      headers: [['Content-Type', TYPE], ['Content-Range', 'bytes 0-6/20']],
      then: 'wait',
    });
    assertS3Error(asSegmentResult(none), 400, 'InvalidRange');
    const seg = u.data.subarray(0, 7);
    const chunked = Buffer.concat([Buffer.from('7\r\n'), seg, Buffer.from('\r\n0\r\n\r\n')]);
    const res = await rawHttp({
      method: 'PUT',
      url: u.init.presignedUrl,
      headers: [['Content-Type', TYPE], ['Content-Range', 'bytes 0-6/20'], ['Transfer-Encoding', 'chunked']],
      body: chunked,
      then: 'wait',
    });
    assertS3Error(asSegmentResult(res), 400, 'InvalidRange');
    await assertNothingStored(u);
  });
});

describe('section 3: 400 IncompleteBody', () => {
  test('fewer bytes than Content-Length, then the client ends its side: 400 IncompleteBody, nothing stored', async (t) => {
    // Reading: the client half-closes (FIN) after the short body, so the storage can still answer.
    const u = await openUpload(t);
    const raw = await rawHttp({
      method: 'PUT',
      url: u.init.presignedUrl,
      headers: [['Content-Type', TYPE], ['Content-Range', 'bytes 0-6/20'], ['Content-Length', '7']],
      body: u.data.subarray(0, 3),
      then: 'half-close',
    });
    assertS3Error(asSegmentResult(raw), 400, 'IncompleteBody');
    await assertNothingStored(u);
  });

  test('fewer bytes than Content-Length, then a connection reset: nothing stored', async (t) => {
    const u = await openUpload(t);
    const before = u.emu.state().counters.segment?.requests ?? 0;
    await rawHttp({
      method: 'PUT',
      url: u.init.presignedUrl,
      headers: [['Content-Type', TYPE], ['Content-Range', 'bytes 0-6/20'], ['Content-Length', '7']],
      body: u.data.subarray(0, 3),
      then: 'destroy',
    });
    // Wait for the storage to have seen the request, then check it kept nothing (a later whole PUT works).
    await waitFor(() => (u.emu.state().counters.segment?.requests ?? 0) > before, 'the storage saw the reset PUT');
    const ok = await put(u, 7, u.data.subarray(7, 14));
    assert.equal(ok.status, 206);
    const status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.deepEqual(status.segments.map((s) => s.index), [1]);
  });
});

describe('section 3: 400 BadDigest', () => {
  test('x-amz-checksum-sha256 not equal to the received bytes digest', async (t) => {
    const u = await openUpload(t);
    const seg = u.data.subarray(0, 7);
    const wrong = sha256Base64(Buffer.from('something else'));
    assertS3Error(await putSegment(u.init.presignedUrl, { data: seg, start: 0, totalSize: TOTAL, contentType: TYPE, checksum: wrong }), 400, 'BadDigest');
    await assertNothingStored(u);
  });
});

describe('section 3: 403', () => {
  test('AccessDenied "Request has expired" past expiresAt', async (t) => {
    const u = await openUpload(t);
    const ttl = u.emu.settings().urlTtlSeconds;
    u.emu.advanceClock(ttl * 1000 + 1000);
    const res = await put(u, 0, u.data.subarray(0, 7));
    assertS3Error(res, 403, 'AccessDenied');
    assert.equal(res.s3Error?.message, 'Request has expired');
    await assertNothingStored(u);
  });

  test('SignatureDoesNotMatch when any query parameter is tampered with', async (t) => {
    const u = await openUpload(t);
    const url = new URL(u.init.presignedUrl);
    const names = [...url.searchParams.keys()];
    assert.ok(names.length > 0, 'the pre-signed URL carries its credentials in the query string');
    for (const name of names) {
      const tampered = new URL(url);
      const value = tampered.searchParams.get(name) ?? '';
      // Digits grow (an expiry moves later, never earlier); anything else changes its last character.
      const changed = /^\d+$/.test(value) ? `${value}0` : `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
      tampered.searchParams.set(name, changed);
      assertS3Error(await put(u, 0, u.data.subarray(0, 7), {}, tampered.toString()), 403, 'SignatureDoesNotMatch');
    }
    // Reading: as with S3 (every query parameter is in the canonical request), adding one is tampering too.
    const added = new URL(url);
    added.searchParams.append('x-extra', '1');
    assertS3Error(await put(u, 0, u.data.subarray(0, 7), {}, added.toString()), 403, 'SignatureDoesNotMatch');
    const dropped = new URL(url);
    dropped.searchParams.delete(names[names.length - 1] ?? '');
    assertS3Error(await put(u, 0, u.data.subarray(0, 7), {}, dropped.toString()), 403, 'SignatureDoesNotMatch');
    await assertNothingStored(u);
  });

  test('SignatureDoesNotMatch when Content-Type differs from the declared one (exact string)', async (t) => {
    const u = await openUpload(t);
    for (const contentType of ['application/octet-stream', 'application/PDF', 'application/pdf; charset=binary', 'text/pdf']) {
      assertS3Error(await put(u, 0, u.data.subarray(0, 7), { 'content-type': contentType }), 403, 'SignatureDoesNotMatch');
    }
    const raw = await rawHttp({
      method: 'PUT',
      url: u.init.presignedUrl,
      headers: [['Content-Range', 'bytes 0-6/20'], ['Content-Length', '7']],
      body: u.data.subarray(0, 7),
      then: 'wait',
    });
    assertS3Error(asSegmentResult(raw), 403, 'SignatureDoesNotMatch');
    await assertNothingStored(u);
  });
});

describe('section 3: 404 NoSuchUpload', () => {
  test('an aborted upload', async (t) => {
    const u = await openUpload(t);
    assert.equal((await abortUpload(u.emu.url, u.token, u.init.uploadId)).status, 204);
    assertS3Error(await put(u, 0, u.data.subarray(0, 7)), 404, 'NoSuchUpload');
  });

  test('an already completed upload', async (t) => {
    const u = await openUpload(t);
    const sums: string[] = [];
    for (const [i, start] of [0, 7, 14].entries()) {
      const seg = u.data.subarray(start, Math.min(start + 7, TOTAL));
      await put(u, start, seg);
      sums[i] = segmentChecksum(seg);
    }
    await completeOrThrow(u.emu.url, u.token, u.init.uploadId, sums, TYPE);
    assertS3Error(await put(u, 0, u.data.subarray(0, 7)), 404, 'NoSuchUpload');
  });

  test('an unknown upload', async (t) => {
    // Reading: the signature covers the URL's path, so a URL naming an unknown upload cannot carry a
    // valid signature; the storage may refuse it for either reason (S3 checks the signature first).
    const u = await openUpload(t);
    assert.ok(u.init.presignedUrl.includes(u.init.uploadId), 'the pre-signed URL names its upload');
    const other = 'f'.repeat(u.init.uploadId.length);
    const res = await put(u, 0, u.data.subarray(0, 7), {}, u.init.presignedUrl.split(u.init.uploadId).join(other));
    assert.ok(res.status === 404 || res.status === 403, `${res.status}: ${res.text}`);
    assertS3Error(res, res.status, res.status === 404 ? 'NoSuchUpload' : 'SignatureDoesNotMatch');
  });
});

describe('section 3: 413 EntityTooLarge', () => {
  test('a segment longer than chunkSize', async (t) => {
    const u = await openUpload(t);
    assertS3Error(await put(u, 0, u.data.subarray(0, 8)), 413, 'EntityTooLarge');
    await assertNothingStored(u);
  });

  test('a Content-Range total that differs from the declared totalSize', async (t) => {
    const u = await openUpload(t);
    const seg = u.data.subarray(0, 7);
    for (const total of [21, 19, 1000]) {
      assertS3Error(await put(u, 0, seg, { 'content-range': `bytes 0-6/${total}` }), 413, 'EntityTooLarge');
    }
    await assertNothingStored(u);
  });
});
