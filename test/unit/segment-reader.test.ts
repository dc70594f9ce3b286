import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferPool } from '../../src/upload/buffer-pool.js';
import { planSegments } from '../../src/upload/plan.js';
import { SegmentReader, type Segment } from '../../src/upload/segment-reader.js';
import { IntegrityError, RejectedError } from '../../src/errors/index.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('segment reader: concurrent workers get segments in order, hashes match, whole-file hash in one pass', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'reader-'));
  try {
    const data = randomBytes(10 * 1000 + 7);
    const path = join(dir, 'f.bin');
    await writeFile(path, data);
    const handle = await open(path, 'r');
    const plan = planSegments(data.length, 1000, 100);
    const pool = new BufferPool(3 + 1, 1000);
    const reader = new SegmentReader(handle, plan, pool);
    const seen: number[] = [];
    const worker = async () => {
      for (;;) {
        const segment: Segment | undefined = await reader.next();
        if (segment === undefined) return;
        seen.push(segment.index);
        const expected = data.subarray(segment.start, segment.start + segment.data.length);
        assert.ok(segment.data.equals(expected));
        assert.equal(segment.checksum, `sha256:${sha(expected)}`);
        assert.equal(segment.checksumBase64, createHash('sha256').update(expected).digest('base64'));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        segment.release();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    assert.deepEqual(seen, Array.from({ length: 11 }, (_, i) => i), 'handed out in index order');
    assert.equal(await reader.wholeFileSha256(), sha(data));
    assert.equal(reader.bytesRead, data.length, 'each byte read once');
    assert.ok(pool.allocatedBytes <= 4 * 1000, 'bounded by the pool');

    const again = await reader.reread(10, `sha256:${sha(data.subarray(10_000))}`);
    assert.equal(again.data.length, 7);
    again.release();
    await writeFile(path, Buffer.alloc(data.length));
    await assert.rejects(reader.reread(0, `sha256:${sha(data.subarray(0, 1000))}`), IntegrityError);
    await handle.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('plan: ceil(size/chunkSize) must not exceed maxChunks; chunkSize may exceed the size', () => {
  assert.deepEqual(planSegments(10, 100, 1), { totalSize: 10, chunkSize: 100, maxChunks: 1, chunks: 1 });
  assert.equal(planSegments(300, 100, 3).chunks, 3);
  assert.throws(() => planSegments(301, 100, 3), (e: unknown) => e instanceof RejectedError && /4 chunks.*at most 3/.test(e.message));
});
