/**
 * Writes a sample file of pseudo-random bytes for the demo, streaming 1 MiB at a time so memory
 * stays flat whatever the size. Random content keeps any layer from compressing it away. And the
 * SHA-256 the demo compares: of the sample, of what the emulator gives back, of a link's download.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The hex SHA-256 of everything `stream` yields. */
export async function sha256Hex(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(stream, hash);
  return hash.digest('hex');
}

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
