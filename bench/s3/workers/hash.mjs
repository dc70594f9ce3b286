/**
 * Same-run hashing baselines over the file, read in part-sized pieces from one file handle:
 * - mode "whole": one SHA-256 pass over the file;
 * - mode "parts+whole": what the S3 store must hash, one SHA-256 per part plus one over the whole
 *   file (each byte goes through SHA-256 twice, read once).
 * Input: {"filePath": string, "partSize": number, "mode": "whole" | "parts+whole"}.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { measureSelf, readWorkerInput } from '../../lib/measure.mjs';

const input = readWorkerInput();

await measureSelf(async () => {
  const handle = await open(input.filePath, 'r');
  const buffer = Buffer.allocUnsafe(input.partSize);
  const whole = createHash('sha256');
  let bytes = 0;
  let parts = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, bytes);
      if (bytesRead === 0) break;
      const piece = buffer.subarray(0, bytesRead);
      whole.update(piece);
      if (input.mode === 'parts+whole') createHash('sha256').update(piece).digest();
      bytes += bytesRead;
      parts++;
    }
  } finally {
    await handle.close();
  }
  return { bytes, extra: { sha256: whole.digest('hex'), parts } };
});
