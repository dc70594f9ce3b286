/**
 * PROTOCOL.md section 4: GET /api/v2/files/uploads/{id} (status, resume, URL refresh) and
 * DELETE /api/v2/files/uploads/{id} (abort).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  abortUpload,
  complete,
  getToken,
  initiateOrThrow,
  putAllSegments,
  putSegment,
  segmentChecksum,
  uploadStatus,
  uploadStatusOrThrow,
  type InitiateResponse,
} from '../../helpers/emulator-client.js';
import type { EmulatorHandle } from '../../../src/emulator/types.js';
import { assertApiHeaders, assertGenesysError, assertIsoDate, assertS3Error, emulatorFor, patternBytes } from './fixtures.js';

const TYPE = 'application/pdf';

interface Open {
  emu: EmulatorHandle;
  token: string;
  init: InitiateResponse;
  data: Buffer;
}

async function openUpload(t: TestContext): Promise<Open> {
  const emu = await emulatorFor(t, { chunkSize: 4, singleChunkMaxSize: 0, allowedContentTypes: [TYPE], urlTtlSeconds: 600 });
  const token = await getToken(emu.url);
  const data = patternBytes(10); // segments of 4, 4, 2
  const init = await initiateOrThrow(emu.url, token, { fileName: 'notes.pdf', contentType: TYPE, totalSize: data.length });
  return { emu, token, init, data };
}

function put(url: string, u: Open, index: number) {
  const start = index * 4;
  return putSegment(url, { data: u.data.subarray(start, Math.min(start + 4, 10)), start, totalSize: 10, contentType: TYPE });
}

describe('section 4: GET upload status', () => {
  test('200 with the full shape for an open upload, no fileId yet', async (t) => {
    const u = await openUpload(t);
    await put(u.init.presignedUrl, u, 1);
    const res = await uploadStatus(u.emu.url, u.token, u.init.uploadId);
    assert.equal(res.status, 200, res.text);
    assertApiHeaders(res);
    const s = res.json;
    assert.equal(s.uploadId, u.init.uploadId);
    assert.equal(s.fileName, 'notes.pdf');
    assert.equal(s.contentType, TYPE);
    assert.equal(s.totalSize, 10);
    assert.equal(s.chunkSize, 4);
    assert.equal(s.maxChunks, u.init.maxChunks);
    assert.equal(s.state, 'open');
    assert.deepEqual(s.segments, [{ index: 1, size: 4, checksum: segmentChecksum(u.data.subarray(4, 8)) }]);
    assert.match(s.segments[0]?.checksum ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(typeof s.presignedUrl, 'string');
    assertIsoDate(s.expiresAt, 'expiresAt');
    assert.equal('fileId' in s, false, 'fileId appears only once completed');
  });

  test('every call signs the URL afresh: a replaced URL works after the old one expired', async (t) => {
    const u = await openUpload(t);
    u.emu.advanceClock(601_000);
    assertS3Error(await put(u.init.presignedUrl, u, 0), 403, 'AccessDenied');
    const now = u.emu.state().now;
    const s = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    const delta = Date.parse(s.expiresAt) - now;
    assert.ok(delta > 599_000 && delta <= 601_000, `the fresh URL lives urlTtlSeconds from now (${delta} ms)`);
    assert.notEqual(s.presignedUrl, u.init.presignedUrl);
    assert.equal((await put(s.presignedUrl, u, 0)).status, 206, 'the fresh URL stores');
    u.emu.advanceClock(5_000);
    const later = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.ok(Date.parse(later.expiresAt) > Date.parse(s.expiresAt), 'a later call gives a later expiry');
    assert.equal((await put(s.presignedUrl, u, 1)).status, 206, 'an earlier fresh URL still works until it expires');
  });

  test('a completed upload shows state completed, all segments and its fileId', async (t) => {
    const u = await openUpload(t);
    const checksums = await putAllSegments(u.init, u.data, TYPE);
    const done = await complete(u.emu.url, u.token, u.init.uploadId, { checksums, contentType: TYPE });
    assert.equal(done.status, 200, done.text);
    const s = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.equal(s.state, 'completed');
    assert.equal(s.fileId, done.json.fileId);
    assert.deepEqual(
      s.segments.map((x) => x.checksum),
      checksums,
    );
  });

  test('an aborted upload still answers 200 with state aborted and no stored segments', async (t) => {
    // Reading: abort discards the stored segments, so the aborted upload lists none.
    const u = await openUpload(t);
    await put(u.init.presignedUrl, u, 0);
    assert.equal((await abortUpload(u.emu.url, u.token, u.init.uploadId)).status, 204);
    const s = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.equal(s.state, 'aborted');
    assert.deepEqual(s.segments, []);
    assert.equal(s.uploadId, u.init.uploadId);
  });

  test('404 not.found for an unknown upload', async (t) => {
    const u = await openUpload(t);
    assertGenesysError(await uploadStatus(u.emu.url, u.token, 'no-such-upload'), 404, 'not.found');
    assertGenesysError(await uploadStatus(u.emu.url, u.token, `${u.init.uploadId}x`), 404, 'not.found');
  });
});

describe('section 4: DELETE (abort)', () => {
  test('204 with no body; 204 again when already aborted', async (t) => {
    const u = await openUpload(t);
    await put(u.init.presignedUrl, u, 0);
    const first = await abortUpload(u.emu.url, u.token, u.init.uploadId);
    assert.equal(first.status, 204);
    assert.equal(first.bytes.length, 0);
    assertApiHeaders(first);
    const again = await abortUpload(u.emu.url, u.token, u.init.uploadId);
    assert.equal(again.status, 204);
  });

  test('abort discards the segments: PUT is NoSuchUpload, complete is not.found', async (t) => {
    const u = await openUpload(t);
    const checksums = await putAllSegments(u.init, u.data, TYPE);
    await abortUpload(u.emu.url, u.token, u.init.uploadId);
    assertS3Error(await put(u.init.presignedUrl, u, 0), 404, 'NoSuchUpload');
    assertGenesysError(await complete(u.emu.url, u.token, u.init.uploadId, { checksums, contentType: TYPE }), 404, 'not.found');
    const state = u.emu.state().uploads.find((x) => x.uploadId === u.init.uploadId);
    assert.equal(state?.state, 'aborted');
    assert.deepEqual(state?.segments, []);
  });

  test('409 conflict for a completed upload, which stays completed', async (t) => {
    const u = await openUpload(t);
    const checksums = await putAllSegments(u.init, u.data, TYPE);
    const done = await complete(u.emu.url, u.token, u.init.uploadId, { checksums, contentType: TYPE });
    assert.equal(done.status, 200);
    assertGenesysError(await abortUpload(u.emu.url, u.token, u.init.uploadId), 409, 'conflict');
    const s = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.equal(s.state, 'completed');
  });

  test('404 not.found for an unknown upload', async (t) => {
    const u = await openUpload(t);
    assertGenesysError(await abortUpload(u.emu.url, u.token, 'no-such-upload'), 404, 'not.found');
  });
});
