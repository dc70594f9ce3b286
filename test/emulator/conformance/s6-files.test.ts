/**
 * PROTOCOL.md section 6: file metadata and content, with the Range rules.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { api, getToken, header, sha256Hex, uploadFile, type CompleteResponse } from '../../helpers/emulator-client.js';
import type { EmulatorHandle } from '../../../src/emulator/types.js';
import { ALL_CLIENTS, assertApiHeaders, assertGenesysError, assertIsoDate, CLIENTS, emulatorFor, patternBytes } from './fixtures.js';

const TYPE = 'image/png';
const SIZE = 1000;

interface Stored {
  emu: EmulatorHandle;
  token: string;
  data: Buffer;
  checksums: string[];
  file: CompleteResponse;
}

async function storedFile(t: TestContext): Promise<Stored> {
  const emu = await emulatorFor(t, { clients: ALL_CLIENTS, chunkSize: 300, singleChunkMaxSize: 0, allowedContentTypes: [TYPE] });
  const token = await getToken(emu.url);
  const data = patternBytes(SIZE, 3);
  const { checksums, completed } = await uploadFile(emu.url, token, { fileName: 'photo.png', contentType: TYPE, data });
  return { emu, token, data, checksums, file: completed };
}

function content(s: Stored, range?: string, token = s.token) {
  return api(s.emu.url, token, 'GET', `/api/v2/files/${s.file.fileId}/content`, range === undefined ? {} : { headers: { range } });
}

describe('section 6: GET /api/v2/files/{fileId}', () => {
  test('200 with id, name, contentType, size, sha256, the segment checksums, createdAt', async (t) => {
    const s = await storedFile(t);
    const res = await api<Record<string, unknown>>(s.emu.url, s.token, 'GET', `/api/v2/files/${s.file.fileId}`);
    assert.equal(res.status, 200, res.text);
    assertApiHeaders(res);
    const { createdAt, ...rest } = res.json;
    assert.deepEqual(rest, {
      id: s.file.fileId,
      name: 'photo.png',
      contentType: TYPE,
      size: SIZE,
      sha256: sha256Hex(s.data),
      checksums: s.checksums,
    });
    assertIsoDate(createdAt, 'createdAt');
  });

  test('404 not.found for an unknown fileId', async (t) => {
    // Reading: the section 0 code for a missing resource applies to both file routes.
    const s = await storedFile(t);
    assertGenesysError(await api(s.emu.url, s.token, 'GET', '/api/v2/files/no-such-file'), 404, 'not.found');
    assertGenesysError(await api(s.emu.url, s.token, 'GET', '/api/v2/files/no-such-file/content'), 404, 'not.found');
  });
});

describe('section 6: GET /api/v2/files/{fileId}/content', () => {
  test('200 with the exact bytes for any valid token, 401 without one', async (t) => {
    const s = await storedFile(t);
    const res = await content(s);
    assert.equal(res.status, 200);
    assertApiHeaders(res);
    assert.ok(res.bytes.equals(s.data), 'the bytes are the uploaded bytes');
    assert.equal(header(res.headers, 'content-length'), String(SIZE));
    const nobody = await getToken(s.emu.url, CLIENTS.nobody);
    const other = await content(s, undefined, nobody);
    assert.equal(other.status, 200, 'no permission is needed, only a valid token');
    assert.ok(other.bytes.equals(s.data));
    assertGenesysError(await api(s.emu.url, undefined, 'GET', `/api/v2/files/${s.file.fileId}/content`), 401, 'bad.credentials');
  });

  test('a single satisfiable Range answers 206 with that slice and Content-Range', async (t) => {
    const s = await storedFile(t);
    const cases: Array<[string, number, number]> = [
      ['bytes=0-9', 0, 9],
      ['bytes=10-10', 10, 10],
      ['bytes=990-', 990, 999],
      ['bytes=-5', 995, 999],
      ['bytes=0-', 0, 999],
      ['bytes=998-5000', 998, 999],
      ['bytes=-5000', 0, 999],
    ];
    for (const [range, first, last] of cases) {
      const res = await content(s, range);
      assert.equal(res.status, 206, `${range}: ${res.status}`);
      assertApiHeaders(res);
      assert.equal(header(res.headers, 'content-range'), `bytes ${first}-${last}/${SIZE}`, range);
      assert.ok(res.bytes.equals(s.data.subarray(first, last + 1)), `${range}: the slice's bytes`);
    }
  });

  test('an unsatisfiable Range answers 416 range.not.satisfiable', async (t) => {
    // Reading: RFC 9110 §15.5.17 — the 416 carries Content-Range "bytes */size".
    const s = await storedFile(t);
    for (const range of ['bytes=1000-', 'bytes=1000-1001', 'bytes=5000-6000']) {
      const res = await content(s, range);
      assertGenesysError(res, 416, 'range.not.satisfiable');
      assert.equal(header(res.headers, 'content-range'), `bytes */${SIZE}`, range);
    }
  });

  test('malformed or multiple ranges are ignored: 200 with the whole file', async (t) => {
    const s = await storedFile(t);
    for (const range of ['bytes=0-1,5-6', 'bytes=abc', 'items=0-9', 'bytes=9-0', 'bytes 0-9', '0-9', 'bytes=', 'bytes=--1']) {
      const res = await content(s, range);
      assert.equal(res.status, 200, `${range}: ${res.status}`);
      assert.ok(res.bytes.equals(s.data), `${range}: the whole file`);
    }
  });
});
