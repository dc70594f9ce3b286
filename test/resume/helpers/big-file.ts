/** A large test file written block by block (never held in memory), and its SHA-256. */
import { createHash, randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';

const BLOCK = 8 * 1024 * 1024;

/** Random bytes, each block made distinct by its number, so no two chunks are equal. */
export async function writeBigFile(path: string, size: number): Promise<string> {
  const block = randomFillSync(Buffer.allocUnsafe(BLOCK));
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let at = 0, n = 0; at < size; n++) {
      block.writeUInt32LE(n, 0);
      const length = Math.min(BLOCK, size - at);
      const slice = block.subarray(0, length);
      hash.update(slice);
      await file.write(slice, 0, length, at);
      at += length;
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}
