/**
 * PROTOCOL.md section 5: POST /api/v2/files/uploads/{id}/complete — success, idempotency, the
 * bad.request variants, upload.incomplete (and its precedence), checksum.mismatch, not.found.
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
  sha256Hex,
  uploadStatusOrThrow,
  type InitiateResponse,
} from '../../helpers/emulator-client.js';
import type { EmulatorHandle } from '../../../src/emulator/types.js';
import { assertApiHeaders, assertGenesysError, emulatorFor, patternBytes } from './fixtures.js';

const TYPE = 'application/pdf';
const TOTAL = 10; // chunkSize 4 → segments of 4, 4, 2

interface Open {
  emu: EmulatorHandle;
  token: string;
  init: InitiateResponse;
  data: Buffer;
  sums: string[];
}

async function openUpload(t: TestContext, fileName = 'contract.pdf'): Promise<Open> {
  const emu = await emulatorFor(t, { chunkSize: 4, singleChunkMaxSize: 0, allowedContentTypes: [TYPE, 'image/png'] });
  const token = await getToken(emu.url);
  const data = patternBytes(TOTAL, 7);
  const init = await initiateOrThrow(emu.url, token, { fileName, contentType: TYPE, totalSize: TOTAL });
  const sums = [0, 1, 2].map((i) => segmentChecksum(data.subarray(i * 4, Math.min(i * 4 + 4, TOTAL))));
  return { emu, token, init, data, sums };
}

function putIndex(u: Open, i: number, bytes?: Buffer) {
  const start = i * 4;
  const data = bytes ?? u.data.subarray(start, Math.min(start + 4, TOTAL));
  return putSegment(u.init.presignedUrl, { data, start, totalSize: TOTAL, contentType: TYPE });
}

describe('section 5: success', () => {
  test('200 with fileId, name, size, contentType and the whole-file sha256', async (t) => {
    const u = await openUpload(t);
    await putAllSegments(u.init, u.data, TYPE);
    const res = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: u.sums, contentType: TYPE });
    assert.equal(res.status, 200, res.text);
    assertApiHeaders(res);
    assert.equal(typeof res.json.fileId, 'string');
    assert.ok(res.json.fileId.length > 0);
    assert.deepEqual(
      { name: res.json.name, size: res.json.size, contentType: res.json.contentType, sha256: res.json.sha256 },
      { name: 'contract.pdf', size: TOTAL, contentType: TYPE, sha256: sha256Hex(u.data) },
    );
  });

  test('completing again with the same checksums answers the same 200', async (t) => {
    const u = await openUpload(t);
    await putAllSegments(u.init, u.data, TYPE);
    const first = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: u.sums, contentType: TYPE });
    const second = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: u.sums, contentType: TYPE });
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.json, first.json);
    assert.equal(u.emu.state().files.length, 1, 'one file, not two');
  });

  test('each upload gets its own fileId', async (t) => {
    const u = await openUpload(t);
    await putAllSegments(u.init, u.data, TYPE);
    const a = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: u.sums, contentType: TYPE });
    const init2 = await initiateOrThrow(u.emu.url, u.token, { fileName: 'contract.pdf', contentType: TYPE, totalSize: TOTAL });
    await putAllSegments(init2, u.data, TYPE);
    const b = await complete(u.emu.url, u.token, init2.uploadId, { checksums: u.sums, contentType: TYPE });
    assert.equal(b.status, 200);
    assert.notEqual(a.json.fileId, b.json.fileId);
  });
});

describe('section 5: 400 bad.request', () => {
  test('wrong number of checksums, malformed entries, a different contentType, wrong types', async (t) => {
    const u = await openUpload(t);
    await putAllSegments(u.init, u.data, TYPE);
    const [a, b, c] = u.sums as [string, string, string];
    const hex = (s: string) => s.slice('sha256:'.length);
    const bodies: Array<[string, unknown]> = [
      ['too few checksums', { checksums: [a, b], contentType: TYPE }],
      ['too many checksums', { checksums: [a, b, c, c], contentType: TYPE }],
      ['no checksums', { checksums: [], contentType: TYPE }],
      ['uppercase hex', { checksums: [a, b, `sha256:${hex(c).toUpperCase()}`], contentType: TYPE }],
      ['missing prefix', { checksums: [a, b, hex(c)], contentType: TYPE }],
      ['other algorithm', { checksums: [a, b, `md5:${hex(c)}`], contentType: TYPE }],
      ['short hex', { checksums: [a, b, c.slice(0, -2)], contentType: TYPE }],
      ['long hex', { checksums: [a, b, `${c}00`], contentType: TYPE }],
      ['non-hex', { checksums: [a, b, `${c.slice(0, -1)}g`], contentType: TYPE }],
      ['base64 digest', { checksums: [a, b, `sha256:${Buffer.from(hex(c), 'hex').toString('base64')}`], contentType: TYPE }],
      ['non-string entry', { checksums: [a, b, 42], contentType: TYPE }],
      ['checksums not an array', { checksums: a, contentType: TYPE }],
      ['checksums missing', { contentType: TYPE }],
      ['contentType differs', { checksums: u.sums, contentType: 'image/png' }],
      ['contentType differs in case', { checksums: u.sums, contentType: 'application/PDF' }],
      ['contentType missing', { checksums: u.sums }],
      ['contentType not a string', { checksums: u.sums, contentType: 1 }],
    ];
    for (const [why, body] of bodies) {
      const res = await complete(u.emu.url, u.token, u.init.uploadId, body);
      assert.equal(res.status, 400, `${why}: ${res.status} ${res.text}`);
      assertGenesysError(res, 400, 'bad.request');
    }
    const s = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.equal(s.state, 'open', 'nothing was completed');
  });
});

describe('section 5: 409 upload.incomplete', () => {
  test('missing segments are listed in details', async (t) => {
    const u = await openUpload(t);
    await putIndex(u, 1);
    const res = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: u.sums, contentType: TYPE });
    const body = assertGenesysError(res, 409, 'upload.incomplete');
    assert.deepEqual(body.details, [{ index: 0 }, { index: 2 }]);
  });

  test('with missing and mismatched segments, upload.incomplete comes first', async (t) => {
    const u = await openUpload(t);
    await putIndex(u, 0, patternBytes(4, 1234));
    await putIndex(u, 1);
    const res = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: u.sums, contentType: TYPE });
    const body = assertGenesysError(res, 409, 'upload.incomplete');
    assert.deepEqual(body.details, [{ index: 2 }]);
  });
});

describe('section 5: 400 checksum.mismatch', () => {
  test('details give index, expected (submitted) and actual (stored); nothing completes; re-send then complete', async (t) => {
    const u = await openUpload(t);
    const wrong0 = patternBytes(4, 4321);
    await putIndex(u, 0, wrong0);
    await putIndex(u, 1);
    await putIndex(u, 2);
    const res = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: u.sums, contentType: TYPE });
    const body = assertGenesysError(res, 400, 'checksum.mismatch');
    assert.deepEqual(body.details, [{ index: 0, expected: u.sums[0], actual: segmentChecksum(wrong0) }]);
    const s = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.equal(s.state, 'open');
    assert.equal(s.fileId, undefined);
    assert.equal(u.emu.state().files.length, 0);
    await putIndex(u, 0);
    const again = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: u.sums, contentType: TYPE });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.sha256, sha256Hex(u.data));
  });

  test('every mismatched segment is listed in index order', async (t) => {
    const u = await openUpload(t);
    await putAllSegments(u.init, u.data, TYPE);
    const submitted = [u.sums[0], segmentChecksum(Buffer.from('x')), segmentChecksum(Buffer.from('y'))] as string[];
    const res = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: submitted, contentType: TYPE });
    const body = assertGenesysError(res, 400, 'checksum.mismatch');
    assert.deepEqual(body.details, [
      { index: 1, expected: submitted[1], actual: u.sums[1] },
      { index: 2, expected: submitted[2], actual: u.sums[2] },
    ]);
  });
});

describe('section 5: 404 not.found', () => {
  test('an unknown upload', async (t) => {
    const u = await openUpload(t);
    assertGenesysError(await complete(u.emu.url, u.token, 'no-such-upload', { checksums: u.sums, contentType: TYPE }), 404, 'not.found');
  });

  test('an aborted upload', async (t) => {
    const u = await openUpload(t);
    await putAllSegments(u.init, u.data, TYPE);
    await abortUpload(u.emu.url, u.token, u.init.uploadId);
    assertGenesysError(await complete(u.emu.url, u.token, u.init.uploadId, { checksums: u.sums, contentType: TYPE }), 404, 'not.found');
  });
});
