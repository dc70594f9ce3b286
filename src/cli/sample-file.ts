/**
 * Writes a sample file of pseudo-random bytes for the demo, streaming 1 MiB at a time so memory
 * stays flat whatever the size. Random content keeps any layer from compressing it away.
 */
import { randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';

export async function writeSampleFile(path: string, size: number, signal?: AbortSignal): Promise<void> {
  const block = Buffer.allocUnsafe(Math.min(size, 1 << 20));
  const handle = await open(path, 'w');
  try {
    for (let written = 0; written < size; ) {
      signal?.throwIfAborted();
      const n = Math.min(block.length, size - written);
      randomFillSync(block, 0, n);
      await handle.write(block, 0, n, written);
      written += n;
    }
  } finally {
    await handle.close();
  }
}
