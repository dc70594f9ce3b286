import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { genesysFilesDestination } from '../../src/destinations/genesys-files/index.js';
import type { GrowingSource } from '../../src/upload/growing-source.js';
import { runUpload } from '../../src/upload/run-upload.js';
import { KiB, recorder, withHarness } from './harness.js';

/** A file written piece by piece by the test, and the GrowingSource that follows it. */
function growingFile(path: string, size: number) {
  let available = 0;
  const waiters: Array<{ end: number; resolve: () => void }> = [];
  const source: GrowingSource = {
    size,
    waitFor: (end, signal) =>
      end <= available
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ end, resolve });
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
  };
  return {
    source,
    async append(data: Buffer): Promise<void> {
      await appendFile(path, data);
      available += data.length;
      for (const w of waiters.splice(0)) {
        if (w.end <= available) w.resolve();
        else waiters.push(w);
      }
    },
  };
}

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

for (const mode of ['engine hashes the whole file', 'caller gives the whole hash', 'caller lost track', 'caller lost track before the first part'] as const) {
  test(`a growing file is uploaded while it is written, parts stored before its last byte (${mode})`, async () => {
    await withHarness({ chunkSize: 64 * KiB, singleChunkMaxSize: 0 }, async (h) => {
      const data = randomBytes(5 * 64 * KiB + 123);
      const path = join(h.dir, 'growing.bin');
      await writeFile(path, Buffer.alloc(0));
      const file = growingFile(path, data.length);
      let known = 0;
      const source: GrowingSource = {
        ...file.source,
        // Parts 1 and 3 were "hashed by the caller" (correctly): the engine must not need them again.
        knownChecksum: (index, start, length) => {
          if (index !== 1 && index !== 3) return undefined;
          known++;
          return `sha256:${sha(data.subarray(start, start + length))}`;
        },
        ...(mode !== 'engine hashes the whole file' && { wholeSha256: () => (mode === 'caller gives the whole hash' ? sha(data) : undefined) }),
        ...(mode === 'caller lost track before the first part' && { tracksWhole: () => false }),
      };
      const rec = recorder();
      const storedBeforeLast: number[] = [];
      const destination = genesysFilesDestination(h.client, { to: ['+15550100'], language: 'en-US' });
      const upload = runUpload(destination.store, h.client, { filePath: path, growing: source, onEvent: rec.onEvent, concurrency: 2 });
      // Write all but the last two parts (64 KiB and 123 bytes), wait until the engine stored the first four, then finish.
      const part = 64 * KiB;
      for (let i = 0; i < 4; i++) await file.append(data.subarray(i * part, (i + 1) * part));
      while (rec.of('segment-stored').length < 4) await new Promise((r) => setImmediate(r));
      storedBeforeLast.push(...rec.of('segment-stored').map((e) => e.index));
      await file.append(data.subarray(4 * part));
      const result = await upload;
      assert.deepEqual(storedBeforeLast.sort(), [0, 1, 2, 3]);
      assert.equal(result.stored.sha256, sha(data));
      assert.equal(await h.downloadedSha256(String(result.stored.ref)), sha(data));
      assert.equal(known, 2);
    });
  });
}

test('a growing file that ends short of its declared size is never completed', async () => {
  await withHarness({ chunkSize: 64 * KiB, singleChunkMaxSize: 0 }, async (h) => {
    const path = join(h.dir, 'short.bin');
    await writeFile(path, randomBytes(100 * KiB));
    const controller = new AbortController();
    const source: GrowingSource = { size: 200 * KiB, waitFor: (end, signal) => (end <= 100 * KiB ? Promise.resolve() : new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)))) };
    const destination = genesysFilesDestination(h.client, { to: ['+15550100'], language: 'en-US' });
    const rec = recorder();
    const upload = runUpload(destination.store, h.client, { filePath: path, growing: source, signal: controller.signal, onEvent: rec.onEvent });
    while (rec.of('segment-stored').length < 1) await new Promise((r) => setImmediate(r));
    controller.abort();
    await assert.rejects(upload, (error: Error) => error.name === 'InterruptedError' || /interrupt/i.test(error.message));
    assert.notEqual(h.emulator.state().uploads[0]?.state, 'completed');
  });
});
