import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeResponse, indexDetails, initiateResponse, uploadStatus } from '../../src/genesys/schemas.js';
import { ShapeError } from '../../src/genesys/validate.js';

const initiate = { uploadId: 'u1', presignedUrl: 'https://s.test/u1?sig=1', chunkSize: 5242880, maxChunks: 10000, expiresAt: '2030-01-01T00:00:00Z' };

test('responses: the fields we use are read, unknown fields ignored', () => {
  assert.deepEqual(initiateResponse({ ...initiate, somethingNew: { deep: true } }), initiate);
  const sha = 'A'.repeat(64);
  assert.equal(completeResponse({ fileId: 'f', name: 'n', size: 3, contentType: 't', sha256: sha, extra: 1 }).sha256, 'a'.repeat(64));
});

test('responses: sizes and counts from outside are bounded (table)', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ ...initiate, chunkSize: 0 }, /chunkSize/],
    [{ ...initiate, chunkSize: 5 * 1024 ** 3 + 1 }, /chunkSize/],
    [{ ...initiate, chunkSize: 1.5 }, /chunkSize/],
    [{ ...initiate, maxChunks: 1_000_001 }, /maxChunks/],
    [{ ...initiate, presignedUrl: 'ftp://x' }, /presignedUrl/],
    [{ ...initiate, expiresAt: 'tomorrow' }, /expiresAt/],
    [{ ...initiate, uploadId: '' }, /uploadId/],
    [[], /object/],
    [null, /object/],
  ];
  for (const [body, where] of bad) assert.throws(() => initiateResponse(body), (e: unknown) => e instanceof ShapeError && where.test(e.message), JSON.stringify(body));
  const status = {
    uploadId: 'u1', fileName: 'f', contentType: 't', totalSize: 10, chunkSize: 5, maxChunks: 2, state: 'open',
    presignedUrl: 'http://s.test/x', expiresAt: '2030-01-01T00:00:00Z',
    segments: [{ index: 0, size: 5, checksum: `sha256:${'0'.repeat(64)}` }],
  };
  assert.equal(uploadStatus(status).segments.length, 1);
  const three = [0, 1, 1].map((index) => ({ index, size: 5, checksum: `sha256:${'0'.repeat(64)}` }));
  assert.throws(() => uploadStatus({ ...status, segments: three }), /segments: expected at most 2/);
  assert.throws(() => uploadStatus({ ...status, segments: [{ index: 2, size: 5, checksum: `sha256:${'0'.repeat(64)}` }] }), /segments\.0\.index/);
  assert.throws(() => uploadStatus({ ...status, state: 'weird' }), /state/);
  assert.deepEqual(indexDetails([{ index: 3 }, { index: 0, expected: 'x' }]), [{ index: 3 }, { index: 0 }]);
  assert.equal(indexDetails([{ index: -1 }]), undefined);
  assert.equal(indexDetails('x'), undefined);
});
