/**
 * The emulator's whole-file SHA-256 computed as segments arrive (store/in-order-hash.ts): the
 * completion's digest is the file's whatever the order of arrival or a segment replaced after it
 * was hashed, and segments hashed in order are not read again at completion.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { InOrderHashes } from '../../../src/emulator/store/in-order-hash.js';
import type { StoredSegment, Upload } from '../../../src/emulator/store/uploads.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function rig(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'in-order-hash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const closing = new AbortController();
  t.after(() => closing.abort());
  const path = (_id: string, s: StoredSegment): string => join(dir, `seg-${s.index}-${s.sha256}`);
  const hashes = new InOrderHashes(path, closing.signal);
  const upload: Upload = { meta: { uploadId: 'u1' } as Upload['meta'], segments: new Map() };
  const store = async (index: number, bytes: Buffer): Promise<StoredSegment> => {
    const segment = { index, size: bytes.length, sha256: sha(bytes) };
    await writeFile(path('u1', segment), bytes);
    upload.segments.set(index, segment);
    void hashes.stored(upload, segment);
    return segment;
  };
  const ordered = (): StoredSegment[] => [...upload.segments.values()].sort((a, b) => a.index - b.index);
  return { hashes, upload, store, ordered, path };
}

test('in order: the digest is the file’s, and segments hashed on arrival are not read again', async (t) => {
  const { hashes, upload, store, ordered, path } = await rig(t);
  const parts = [randomBytes(100_000), randomBytes(100_000), randomBytes(5)];
  const first = await store(0, parts[0]!);
  await store(1, parts[1]!);
  await store(2, parts[2]!);
  await hashes.stored(upload, upload.segments.get(2)!); // caught up
  // Segment 0's file taken away: a digest that read it again would fail.
  await unlink(path('u1', first));
  assert.equal(await hashes.digest(upload, ordered()), sha(Buffer.concat(parts)));
});

test('out of order, and a segment replaced after it was hashed: the digest is still the stored file’s', async (t) => {
  const { hashes, upload, store, ordered } = await rig(t);
  const a = randomBytes(70_000);
  const b = randomBytes(70_000);
  const c = randomBytes(1_000);
  await store(1, b); // before 0: nothing to hash yet
  await store(0, a);
  await store(2, c);
  const replacement = randomBytes(70_000);
  await store(0, replacement); // different bytes for a segment already hashed
  assert.equal(await hashes.digest(upload, ordered()), sha(Buffer.concat([replacement, b, c])));
});

test('no running digest (an emulator restarted mid-upload): completion hashes every segment', async (t) => {
  const { hashes, upload, ordered, path } = await rig(t);
  const parts = [randomBytes(10_000), randomBytes(20_000)];
  for (const [index, bytes] of parts.entries()) {
    const segment = { index, size: bytes.length, sha256: sha(bytes) };
    await writeFile(path('u1', segment), bytes);
    upload.segments.set(index, segment); // stored before this process: stored() never called
  }
  assert.equal(await hashes.digest(upload, ordered()), sha(Buffer.concat(parts)));
});
