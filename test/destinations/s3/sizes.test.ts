/**
 * The S3 store against the emulator's S3 endpoint, file sizes: empty, 1 byte, one part, exactly
 * 5 MiB (one PutObject), 17 MiB in 5 MiB parts, a part size that is not a power of two. Each time
 * the object's bytes, type, disposition and checksum are what we sent, the store verified it, and
 * the link downloads the identical bytes under the original name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compositeChecksum } from '../../../src/destinations/s3/index.js';
import { drive } from './drive.js';
import { BUCKET, bytes, download, emulator, emulatorStore, MiB, sha256hex } from './helpers.js';

const cases: Array<{ name: string; size: number; partSize?: number; parts: number }> = [
  { name: 'an empty file', size: 0, parts: 0 },
  { name: '1 byte', size: 1, parts: 1 },
  { name: 'one part (3 MiB + 1)', size: 3 * MiB + 1, parts: 1 },
  { name: 'exactly 5 MiB', size: 5 * MiB, parts: 1 },
  { name: '17 MiB with 5 MiB parts', size: 17 * MiB, parts: 4 },
  { name: '13,000,001 bytes with 6,000,000-byte parts (not a power of two)', size: 13_000_001, partSize: 6_000_000, parts: 3 },
];

for (const c of cases) {
  test(`emulator: ${c.name}`, async (t) => {
    const emu = await emulator(t);
    const store = emulatorStore(t, emu, c.partSize === undefined ? {} : { partSize: c.partSize });
    const data = bytes(c.size, c.size);
    const fileName = 'Rapport été 2026 (final).pdf';
    const run = await drive(store, data, { fileName, contentType: 'application/pdf' });
    assert.equal(run.session.plan.chunks, c.parts);
    const stored = run.stored;
    assert.ok(stored);
    assert.equal(stored.verified, true, 'the emulator answers checksums: verified by the store');
    assert.equal(stored.sha256, sha256hex(data));
    assert.equal(stored.size, c.size);

    const view = emu.state().s3;
    assert.equal(view.uploads.length, 0, 'no multipart upload left open');
    const object = view.buckets.find((b) => b.name === BUCKET)?.objects[0];
    assert.ok(object);
    assert.match(object.key, /^links\/[0-9a-f]{16}\/Rapport-ete-2026-final\.pdf$/);
    assert.equal(object.sha256, sha256hex(data));
    assert.equal(object.contentType, 'application/pdf');
    assert.equal(object.contentDisposition, `attachment; filename="Rapport _t_ 2026 (final).pdf"; filename*=UTF-8''Rapport%20%C3%A9t%C3%A9%202026%20%28final%29.pdf`);
    if (c.parts > 1) {
      const { createHash } = await import('node:crypto');
      const sums = Array.from({ length: c.parts }, (_, i) => {
        const size = c.partSize ?? 5 * MiB;
        return `sha256:${createHash('sha256').update(data.subarray(i * size, (i + 1) * size)).digest('hex')}`;
      });
      assert.equal(object.checksumSHA256, compositeChecksum(sums));
      assert.equal(object.parts, c.parts);
    } else {
      assert.equal(object.metadata.sha256, sha256hex(data), 'a single PUT carries the whole SHA-256 as metadata');
    }

    assert.ok(stored.link);
    const got = await download(stored.link.url);
    assert.equal(got.status, 200);
    assert.equal(sha256hex(got.body), sha256hex(data));
    assert.match(String(got.headers['content-disposition']), /filename\*=UTF-8''Rapport%20%C3%A9t%C3%A9/);
    const expires = Date.parse(stored.link.expiresAt ?? '');
    assert.ok(Math.abs(expires - (Date.now() + 7 * 86_400_000)) < 5000, 'the link lives 7 days by default');
  });
}
