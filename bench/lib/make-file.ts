/**
 * Writes the test file fast without holding it in memory: one 16 MiB block of random bytes, written
 * again and again with the block's counter stamped every 4 KiB, so no two blocks (and no two
 * 5 MiB segments) are equal and the content neither compresses nor deduplicates.
 */
import { randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import { MiB } from './sizes.js';

const BLOCK = 16 * MiB;
const STAMP_EVERY = 4096;

export async function writeTestFile(filePath: string, size: number, signal?: AbortSignal): Promise<void> {
  const block = randomFillSync(Buffer.allocUnsafe(BLOCK));
  const file = await open(filePath, 'w');
  try {
    let written = 0;
    for (let counter = 0n; written < size; counter += 1n) {
      signal?.throwIfAborted();
      for (let offset = 0; offset < BLOCK; offset += STAMP_EVERY) block.writeBigUInt64LE(counter, offset);
      const length = Math.min(BLOCK, size - written);
      let done = 0;
      // A write may be partial; loop until this block is fully on disk (bounded: each pass writes >= 1 byte or throws).
      while (done < length) {
        const { bytesWritten } = await file.write(block, done, length - done, written + done);
        if (bytesWritten === 0) throw new Error(`could not write ${filePath}: no progress`);
        done += bytesWritten;
      }
      written += length;
    }
  } finally {
    await file.close();
  }
}
